"""The Jinja2 environment: our templates first, then the GOV.UK Frontend macros under their own prefix."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from jinja2 import (
    BaseLoader,
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
)
from markupsafe import Markup

from mediation.rules.calendar import format_long_date
from mediation.settings import ROOT
from mediation.web.confirmations import take_confirmation
from mediation.web.security import csp_nonce

SERVICE_NAME = "Resolve a SEND disagreement"


def long_date(value: dt.date | None) -> str:
    """GOV.UK date style: 10 May 2027."""
    return "" if value is None else format_long_date(value).split(" ", 1)[1]


def day_date(value: dt.date | None) -> str:
    """With the weekday, for deadlines: Monday 10 May 2027 (fixed English names, whatever the locale)."""
    return "" if value is None else format_long_date(value)


def date_items(values: dict[str, str], prefix: str, has_error: object = False) -> list[dict[str, str]]:
    """The day, month and year boxes of a GOV.UK date input, keeping what was typed."""
    error = " govuk-input--error" if has_error else ""
    return [
        {
            "name": part,
            "classes": f"govuk-input--width-{width}{error}",
            "value": values.get(f"{prefix}-{part}", ""),
        }
        for part, width in (("day", 2), ("month", 2), ("year", 4))
    ]


GOVUK = "govuk_frontend_jinja"
# `{% from "govuk_frontend_jinja/..." import govukX %}`, with its whitespace-control dashes.
_GOVUK_IMPORT = re.compile(
    r'\{%(-?)\s*from\s+"(govuk_frontend_jinja/[^"]+)"\s+import\s+([\w\s,]+?)\s*(-?)%\}'
)


class HoistedImports(BaseLoader):
    """GOV.UK Frontend's macros import their helpers inside the macro body (govukTag imports
    govukAttributes, govukSelect the label, hint and error message), so every call looked the helper
    template up again (a file check with auto_reload) and re-ran it to make a module: 20% of a queue
    page's CPU. This loader takes those imports out of the source (a comment with the same whitespace
    control keeps the output byte for byte) and records them; `build_environment` makes each helper a
    global, built once."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner
        self.hoisted: dict[str, str] = {}  # macro name -> the template that defines it

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)

        def hoist(found: re.Match[str]) -> str:
            for name in found[3].split(","):
                self.hoisted[name.strip()] = found[2]
            return "{#" + found[1] + " " + found[4] + "#}"

        return _GOVUK_IMPORT.sub(hoist, source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


class HoistedMacro:
    """A global standing for a GOV.UK helper macro, made on its first call: a template's module copies
    the globals when it is made, so every helper must be a global before any module exists."""

    def __init__(self, env: Environment, template: str, name: str) -> None:
        self.env, self.template, self.name = env, template, name
        self.macro: Callable[..., Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.macro is None:
            self.macro = getattr(self.env.get_template(self.template).module, self.name)
        return self.macro(*args, **kwargs)


# The small GOV.UK components a page calls many times with the same options (a tag per row, the queue's
# filters, buttons, back links): their HTML depends on the options alone, so it is kept by the options.
MEMOISED = {
    "button": "govukButton",
    "select": "govukSelect",
    "tag": "govukTag",
    "input": "govukInput",
    "back-link": "govukBackLink",
    "pagination": "govukPagination",
    "checkboxes": "govukCheckboxes",
    "summary-list": "govukSummaryList",
    "details": "govukDetails",
    "textarea": "govukTextarea",
    "service-navigation": "govukServiceNavigation",
    "phase-banner": "govukPhaseBanner",
}
_MEMO_COMPONENTS = "|".join(map(re.escape, MEMOISED))
_MEMO_IMPORT = re.compile(
    r'\{%(-?)\s*from\s+"govuk_frontend_jinja/components/(' + _MEMO_COMPONENTS + r')/macro\.html"'
    r"\s+import\s+(\w+)\s*(-?)%\}"
)
MEMO_SIZE = 2048  # entries per component; the cache starts again when full


class _Unkeyable(Exception):
    pass


def _key(value: Any) -> Any:
    """A hashable stand-in for a macro's options that keeps every difference the output could follow
    (escaped text and Markup apart, True apart from 1); options it cannot read are never memoised. Dict
    items keep their order: the same options written in another order only miss the cache once more."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return ("D", tuple([(k if type(k) is str else _key(k), _key(v)) for k, v in value.items()]))
    if kind is list or kind is tuple:
        return ("L", tuple([_key(v) for v in value]))
    if isinstance(value, Markup):
        return ("M", str(value))
    if value is None or kind is bool or kind is int or kind is float:
        return (kind.__name__, value)
    if isinstance(value, str):  # any other kind of text (an enum's value, say) is its text
        return str(value)
    raise _Unkeyable(kind.__name__)


class MemoisedMacro:
    """A GOV.UK component called as `govukX(params)`: the first call with some options renders them, later
    calls with the same options return that HTML. A call with a `caller` block, or options holding
    anything but plain data (an Undefined, an object), renders every time."""

    def __init__(self, env: Environment, component: str, name: str) -> None:
        self.macro = HoistedMacro(env, f"{GOVUK}/components/{component}/macro.html", name)
        self.rendered: dict[Any, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs or len(args) != 1:
            return self.macro(*args, **kwargs)
        try:
            key = _key(args[0])
        except _Unkeyable:
            return self.macro(*args)
        found = self.rendered.get(key)
        if found is None:
            if len(self.rendered) >= MEMO_SIZE:
                self.rendered.clear()
            found = self.rendered[key] = self.macro(*args)
        return found


class MemoisedImports(BaseLoader):
    """Our templates' imports of the components in MEMOISED become the memoised globals of the same name
    (the import line turns into a comment with the same whitespace control, so the output is unchanged)."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        return _MEMO_IMPORT.sub(_as_comment, source), filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def _as_comment(found: re.Match[str]) -> str:
    if MEMOISED[found[2]] != found[3]:
        return found[0]  # imported under another name: leave it
    return "{#" + found[1] + " " + found[4] + "#}"


def _register_govuk_macros(env: Environment, loader: HoistedImports) -> None:
    """Every GOV.UK macro template compiled now, and each helper it imports made a global."""
    for name in loader.list_templates():
        if name.endswith(".html"):
            env.get_template(f"{GOVUK}/{name}")
    for macro, template in loader.hoisted.items():
        env.globals[macro] = HoistedMacro(env, template, macro)
    for component, name in MEMOISED.items():
        env.globals[name] = MemoisedMacro(env, component, name)


def build_environment(*, auto_reload: bool | None = None) -> Environment:
    """`auto_reload` (check template files for changes on every render) only where TEMPLATE_AUTO_RELOAD
    asks for it, in development: in production it was a stat() per template per render."""
    from mediation.settings import settings

    govuk = HoistedImports(PackageLoader(GOVUK))
    env = Environment(
        loader=ChoiceLoader(
            [MemoisedImports(FileSystemLoader(str(ROOT / "templates"))), PrefixLoader({GOVUK: govuk})]
        ),
        auto_reload=settings.template_auto_reload if auto_reload is None else auto_reload,
        autoescape=True,
        # GOV.UK's template.html calls macros without params; ChainableUndefined lets that render.
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["service_name"] = SERVICE_NAME
    env.filters["long_date"] = long_date
    env.filters["day_date"] = day_date
    env.globals["date_items"] = date_items
    env.globals["csp_nonce"] = csp_nonce
    env.globals["take_confirmation"] = take_confirmation
    from mediation.web.queue_rows import queue_rows  # it uses this module's filters

    env.globals["queue_rows"] = queue_rows
    _register_govuk_macros(env, govuk)
    return env
