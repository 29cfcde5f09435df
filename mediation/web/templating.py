"""The Jinja2 environment: our templates first, then the GOV.UK Frontend macros under their own prefix."""

from __future__ import annotations

import datetime as dt

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
)

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


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(ROOT / "templates")),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
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
    return env
