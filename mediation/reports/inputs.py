"""Reading the report's organisation and date range from a form or a query string, with errors to show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from mediation.identity import CurrentUser
from mediation.reports.errors import ReportError
from mediation.reports.service import (
    METRIC_IDS,
    OrganisationRef,
    check_range,
    default_range,
    organisation_for,
)
from mediation.web.forms import date_from_fields

DATE_FIELDS = tuple(f"{d}-{p}" for d in ("from", "to") for p in ("day", "month", "year"))


def form_dates(
    values: dict[str, str], today: dt.date
) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    """The GOV.UK date inputs `from` and `to`; the last six months when neither was sent."""
    if not any(values.get(f, "").strip() for f in DATE_FIELDS):
        start, end = default_range(today)
        for prefix, day in (("from", start), ("to", end)):
            values.update(
                {
                    f"{prefix}-day": str(day.day),
                    f"{prefix}-month": str(day.month),
                    f"{prefix}-year": str(day.year),
                }
            )
        return start, end, {}
    errors: dict[str, str] = {}
    found: dict[str, dt.date | None] = {}
    for prefix, label in (("from", "The start date"), ("to", "The end date")):
        iso, problem = date_from_fields(values, prefix, label)
        found[prefix] = dt.date.fromisoformat(iso) if iso else None
        if problem:
            errors[f"{prefix}-day"] = problem
    for field, message in check_range(found["from"], found["to"], today).items():
        errors.setdefault(field, message)
    return found["from"], found["to"], errors


def iso_dates(start: str | None, end: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """`from` and `to` as YYYY-MM-DD (both or neither); raises ReportError with what is wrong."""
    if not (start or end):
        return default_range(today)
    parsed: dict[str, dt.date | None] = {}
    errors: dict[str, str] = {}
    for name, text in (("from", start), ("to", end)):
        try:
            parsed[name] = dt.date.fromisoformat((text or "").strip())
        except ValueError:
            parsed[name] = None
            errors[name] = f"{name} must be a date like 2027-01-31"
    for field, message in check_range(parsed["from"], parsed["to"], today).items():
        errors.setdefault(field.removesuffix("-day"), message)
    if errors:
        raise ReportError(errors)
    assert parsed["from"] is not None and parsed["to"] is not None
    return parsed["from"], parsed["to"]


async def query_inputs(
    user: CurrentUser, params: Mapping[str, str], today: dt.date
) -> tuple[OrganisationRef, dt.date, dt.date, str | None]:
    """For the CSV and the JSON API: organisation, range and (optionally) one metric, or ReportError."""
    errors: dict[str, str] = {}
    organisation = None
    try:
        organisation = await organisation_for(user, params.get("organisation"))
        if organisation is None:
            errors["organisation"] = "organisation: give the id of a local authority or an ICB"
    except ReportError as exc:
        errors.update(exc.errors)
    start = end = today
    try:
        start, end = iso_dates(params.get("from"), params.get("to"), today)
    except ReportError as exc:
        errors.update(exc.errors)
    metric = params.get("metric") or None
    if metric is not None and metric not in METRIC_IDS:
        errors["metric"] = f"metric must be one of {', '.join(METRIC_IDS)}"
    if errors or organisation is None:
        raise ReportError(errors)
    return organisation, start, end, metric
