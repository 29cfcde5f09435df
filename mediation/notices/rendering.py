"""Turning a notice template into the notice: sandboxed Jinja, sanitised HTML, plain text and a PDF letter.

LA staff edit notice templates, so a template is untrusted code: it runs in Jinja's immutable sandbox
with only the notice's data, no loader (no include or import), and its output is cleaned to a short
list of tags before anyone sees it. GOV.UK classes are added here, so authors write plain HTML.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import html
import re
from html.parser import HTMLParser
from typing import Any

import nh3
from jinja2 import Environment, StrictUndefined, Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from mediation.settings import ROOT
from mediation.web.templating import day_date, long_date

DEFAULT_TEMPLATE = ROOT / "templates" / "notices" / "notice_body.html"
LETTER_TEMPLATE = "notices/notice_letter.html"
EMAIL_TEMPLATE = "notices/notice_email.html"
MAX_TEMPLATE_CHARS = 60_000
ALLOWED_TAGS = {"h2", "h3", "p", "ul", "ol", "li", "strong", "em", "a", "br"}
GOVUK_CLASSES = {
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
}


class NoticeTemplateError(ValueError):
    pass


def default_template_text() -> str:
    return DEFAULT_TEMPLATE.read_text(encoding="utf-8")


# Only filters that cannot be made to build huge strings from a small template ("x" | center(10**9)).
SAFE_FILTERS = (
    "capitalize", "default", "d", "e", "escape", "first", "join", "last", "length", "lower", "replace",
    "title", "trim", "upper", "list", "sort", "unique", "striptags", "count", "int", "string",
)  # fmt: skip
MAX_LOOP_DEPTH = 2  # the notice's own data nests at most this deep (deadlines -> explanation steps)
MAX_LOOPS = 60
MAX_REPEAT = 10_000  # characters or items a template may make with "*"
MAX_OPERATIONS = 10_000  # calls and attribute reads per render (the default text uses under 100)
_operations: contextvars.ContextVar[list[int]] = contextvars.ContextVar("notice_template_operations")


class _NoticeSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, without the ways a template could tie up the server: no range or other globals, no
    padding filters, no huge repeats or powers, and (checked when compiled) no deep or recursive loops."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not allowed in a notice template")
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(times, int)
                and len(seq) * times > MAX_REPEAT
            ):
                raise SecurityError(f"a repeat may make at most {MAX_REPEAT:,} characters")
        return super().call_binop(context, operator, left, right)

    def _count(self) -> None:
        counter = _operations.get(None)
        if counter is not None:
            counter[0] += 1
            if counter[0] > MAX_OPERATIONS:
                raise SecurityError("the notice template does too much work to show")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self._count()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._count()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._count()
        return super().getitem(obj, argument)


@functools.cache
def _sandbox() -> ImmutableSandboxedEnvironment:
    env = _NoticeSandbox(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in SAFE_FILTERS}
    env.filters["long_date"] = long_date
    env.filters["day_date"] = day_date
    return env


def _check_loops(node: nodes.Node, depth: int = 0) -> int:
    """The number of loops under `node`; raises if they nest too deep or loop recursively."""
    count = 0
    for child in node.iter_child_nodes():
        inner = depth
        if isinstance(child, nodes.For):
            if child.recursive:
                raise SecurityError("recursive loops are not allowed in a notice template")
            inner = depth + 1
            count += 1
            if inner > MAX_LOOP_DEPTH:
                raise SecurityError(f"loops may be nested at most {MAX_LOOP_DEPTH} deep in a notice template")
        count += _check_loops(child, inner)
    return count


@functools.lru_cache(maxsize=64)
def _compile(source: str) -> Template:
    env = _sandbox()
    if _check_loops(env.parse(source)) > MAX_LOOPS:
        raise SecurityError(f"a notice template may have at most {MAX_LOOPS} loops")
    return env.from_string(source)


def render_body(source: str, context: dict[str, Any]) -> str:
    """The notice text as safe HTML; raises NoticeTemplateError with the reason a template cannot render."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise NoticeTemplateError(f"The template must be {MAX_TEMPLATE_CHARS:,} characters or fewer")
    try:
        token = _operations.set([0])
        try:
            raw = _compile(source).render(**context)
        finally:
            _operations.reset(token)
    except TemplateError as exc:
        where = f" on line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise NoticeTemplateError(f"The template has an error{where}: {exc.message or exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of staff-written template code is reported
        raise NoticeTemplateError(f"The template could not be shown: {exc}") from exc
    return sanitise(raw)


def sanitise(raw: str) -> str:
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values=GOVUK_CLASSES,
        strip_comments=True,
    ).strip()


class _TextWriter(HTMLParser):
    """Sanitised notice HTML to plain text for email bodies and posted letters."""

    BLOCKS = {"h2", "h3", "p", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_numbered, counter]
        self.href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS and self.out and not self.out[-1].endswith("\n\n"):
            self.out.append("\n\n")
        if tag in {"ul", "ol"}:
            self.lists.append([tag == "ol", 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            numbered, n = self.lists[-1]
            self.out.append(f"{n}. " if numbered else "- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.out.append("\n")
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
        elif tag == "a":
            self.href = ""

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text:
            if data and self.out and not self.out[-1].endswith(("\n", " ")):
                self.out.append(" ")  # the space between two inline pieces, e.g. "by <strong>"
            return
        if data[:1].isspace() and self.out and not self.out[-1].endswith(("\n", " ")):
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.out.append(text)
        target = self.href.removeprefix("mailto:")
        if self.href and target not in text and text.strip() not in target:
            self.out.append(f" ({target})")

    def text(self) -> str:
        lines = "".join(self.out).split("\n")
        return "\n".join(re.sub(" {2,}", " ", line).strip() for line in lines).strip() + "\n"


def to_text(body_html: str) -> str:
    writer = _TextWriter()
    writer.feed(body_html)
    writer.close()
    return html.unescape(writer.text())


@functools.cache
def _page_environment() -> Environment:
    from mediation.web.templating import build_environment

    return build_environment()


def email_html(*, title: str, body_html: str, name: str) -> str:
    return (
        _page_environment()
        .get_template(EMAIL_TEMPLATE)
        .render(title=title, body=Markup(body_html), name=name)  # noqa: S704 - sanitised
    )


def letter_html(
    *,
    title: str,
    body_html: str,
    reference: str,
    sent_on: dt.date,
    name: str,
    address: str,
    la_name: str,
) -> str:
    lines = [line.strip().rstrip(",") for line in address.replace("\r\n", "\n").split("\n")]
    return (
        _page_environment()
        .get_template(LETTER_TEMPLATE)
        .render(
            title=title,
            body=Markup(body_html),  # noqa: S704 - sanitised by `sanitise` above
            reference=reference,
            sent_on=sent_on,
            name=name,
            address_lines=[line for line in lines if line],
            la_name=la_name,
        )
    )


def _write_pdf(document_html: str) -> bytes:
    # WeasyPrint is not documented as thread-safe: share the outbox's render lock, one render at a time.
    from weasyprint import HTML  # type: ignore[import-untyped]

    from mediation.notify.letters import _render_lock

    with _render_lock:
        pdf = HTML(string=document_html).write_pdf(pdf_tags=True)
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


async def render_pdf(document_html: str) -> bytes:
    """A4 PDF bytes, rendered in a worker thread so the event loop keeps serving requests."""
    return await asyncio.to_thread(_write_pdf, document_html)
