"""The audit log, read-only, for admins: nothing in the app can change or delete an entry.

Admins filter it by case reference, person (email), action and a date range, page through it newest
first (`audit/reading.py`: a keyset on (at, id)), and export the filtered entries as CSV for a subject
access request or a complaint. Every export is itself recorded in the log.

Its own capability, above the cases and accounts it names: the log (`audit/`) is the lowest layer, written
by every other capability, so it cannot look a case reference or a person's email up itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from litestar import Request, get
from litestar.response import Stream, Template

from mediation import timekeeping
from mediation.accounts.service import account_id_for, normalise_email
from mediation.audit import reading
from mediation.audit import service as audit
from mediation.audit.reading import FILTER_FIELDS, Filters, decode_cursor, encode_cursor
from mediation.cases.lower_layers import references
from mediation.cases.repository import case_id_for
from mediation.db import transaction
from mediation.rules.lifecycle import VARIANTS
from mediation.web.auth import current_user
from mediation.web.forms import client_of, date_from_fields

ACTION_PATTERN = re.compile(r"[a-z0-9_.]{1,60}")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timekeeping.LONDON).astimezone(dt.UTC)


def _actions(name: str) -> list[str]:
    """An event with outcomes is logged as `event.outcome`: asking for the event finds every outcome."""
    return [name, *(f"{name}.{v}" for v in VARIANTS.get(name, ()))]


async def read_filters(raw: Mapping[str, str]) -> Filters:
    values = {k: str(raw.get(k, "")).strip() for k in FILTER_FIELDS}
    f = Filters(values)
    reference = values["reference"]
    if reference:
        if len(reference) > 40:
            f.errors["reference"] = "The case reference must be 40 characters or fewer"
        else:
            case_id = await case_id_for(reference.upper())
            if case_id is None:
                f.errors["reference"] = f"No case has the reference {reference}"
            else:
                f.case_id = case_id
                f.described.append(f"case {reference.upper()}")
    email = values["user"]
    if email:
        if "@" not in email or len(email) > 254:
            f.errors["user"] = "Enter the person's email address, like name@example.com"
        else:
            account_id = await account_id_for(email)
            if account_id is None:
                f.errors["user"] = f"No account has the email address {email}"
            else:
                f.actor_id = account_id
                f.described.append(f"by {normalise_email(email)}")
    action = values["action"]
    if action:
        if not ACTION_PATTERN.fullmatch(action):
            f.errors["action"] = (
                "Enter an action as the log names it, like session_booked or sign_in: lower-case letters, "
                "numbers, dots and underscores, at most 60 characters"
            )
        else:
            f.actions = _actions(action)
            f.described.append(f"action {action}")
    days: dict[str, dt.date | None] = {}
    for prefix, label in (("from", "The start date"), ("to", "The end date")):
        iso, problem = date_from_fields(values, prefix, label)
        days[prefix] = dt.date.fromisoformat(iso) if iso else None
        if problem:
            f.errors[f"{prefix}-day"] = problem
    start, end = days["from"], days["to"]
    if start and end and end < start:
        f.errors["to-day"] = "The end date must be the same as or after the start date"
    elif not f.errors.get("from-day") and not f.errors.get("to-day"):
        if start:
            f.since = _local_midnight(start)
            f.described.append(f"from {start:%d %B %Y}")
        if end:  # the whole of the last day, in England
            f.before = _local_midnight(end + dt.timedelta(days=1))
            f.described.append(f"to {end:%d %B %Y}")
    return f


def _when(at: dt.datetime) -> str:
    return at.astimezone(timekeeping.LONDON).strftime("%d %b %Y %H:%M:%S")


@get("/admin/audit", name="admin_audit", opt={"action": "administer"})
async def audit_page(request: Request) -> Template:
    filters = await read_filters(request.query_params)
    older_text, newer_text = request.query_params.get("older"), request.query_params.get("newer")
    older, newer = decode_cursor(older_text), decode_cursor(newer_text)
    if (older_text and older is None) or (newer_text and newer is None) or (older and newer):
        filters.errors["page"] = "This page link is not valid. Start again from the newest entries"
    rows: list[dict[str, Any]] = []
    has_older = has_newer = False
    if not filters.errors:
        rows, has_older, has_newer = await reading.page_of(filters, older=older, newer=newer)
    found = await reading.references_of(rows, references)
    events = [
        {**r, "when": _when(r["at"]), "reference": found.get(r["disagreement_id"] or 0, "")} for r in rows
    ]
    query = filters.query()
    return Template(
        "admin/audit.html",
        context={
            "events": events,
            "values": filters.values,
            "errors": filters.errors,
            "described": filters.described,
            "query": query,
            "older": encode_cursor(rows[-1]) if rows and has_older else None,
            "newer": encode_cursor(rows[0]) if rows and has_newer else None,
            "paged": bool(older or newer),
        },
        status_code=400 if filters.errors else 200,
    )


def export_filename(filters: Filters, today: dt.date) -> str:
    parts = ["audit-log", today.isoformat()]
    reference = filters.values.get("reference", "")
    if reference and "reference" not in filters.errors:
        parts.append(re.sub(r"[^A-Za-z0-9]+", "-", reference.upper()).strip("-"))
    return "-".join(parts) + ".csv"


@get("/admin/audit.csv", name="admin_audit_csv", opt={"action": "administer"})
async def audit_csv(request: Request) -> Stream | Template:
    filters = await read_filters(request.query_params)
    if filters.errors:
        return Template(
            "admin/audit.html",
            context={
                "events": [],
                "values": filters.values,
                "errors": filters.errors,
                "described": filters.described,
                "query": filters.query(),
                "older": None,
                "newer": None,
                "paged": False,
            },
            status_code=400,
        )
    count = await reading.count(filters)
    scope = ", ".join(filters.described) or "all entries"
    async with transaction():
        await audit.record(
            actor=current_user(request),
            action="audit_exported",
            entity="audit_event",
            summary=f"Audit log exported as CSV ({scope}): {count} entries",
            after={"filters": {k: v for k, v in filters.values.items() if v}, "entries": count},
            client=client_of(request),
        )
    filename = export_filename(filters, timekeeping.today())
    return Stream(
        reading.export_rows(filters, references),
        media_type="text/csv",  # Litestar adds "; charset=utf-8"
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ROUTES = [audit_page, audit_csv]
