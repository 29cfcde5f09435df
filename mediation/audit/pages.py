"""The audit log, read-only: nothing in the app can change or delete an entry.

Admins filter it by case reference, person (email), action and a date range, page through it newest
first with a keyset on (at, id) (never OFFSET: a deep page costs what the first one does, and an entry
added meanwhile does not shift the pages), and export the filtered entries as CSV for a subject access
request or a complaint. Every export is itself recorded in the log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, get
from litestar.response import Stream, Template
from piccolo.columns.combination import WhereRaw

from mediation import timekeeping
from mediation.accounts.service import normalise_email
from mediation.accounts.tables import Account
from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from mediation.db import transaction
from mediation.db_typing import Condition
from mediation.rules.lifecycle import VARIANTS
from mediation.web.auth import current_user
from mediation.web.forms import client_of, date_from_fields, whole_number

PAGE_SIZE = 100
EXPORT_BATCH = 500
ACTION_PATTERN = re.compile(r"[a-z0-9_.]{1,60}")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells are
# prefixed with an apostrophe, which spreadsheets show as text and do not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FILTER_FIELDS = ("reference", "user", "action") + tuple(
    f"{d}-{p}" for d in ("from", "to") for p in ("day", "month", "year")
)
COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor,
    AuditEvent.actor_label,
    AuditEvent.action,
    AuditEvent.entity,
    AuditEvent.entity_id,
    AuditEvent.disagreement_id,
    AuditEvent.summary,
)


@dataclass
class Filters:
    """What the admin asked for, read and checked; `where` is None when nothing narrows the log."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    conditions: list[Condition] = field(default_factory=list)
    described: list[str] = field(default_factory=list)

    @property
    def where(self) -> Condition | None:
        found: Condition | None = None
        for condition in self.conditions:
            found = condition if found is None else found & condition
        return found

    def query(self) -> str:
        """The filters as a query string for links (paging, export)."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.values.items() if k in FILTER_FIELDS and v})


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
            case = (
                await Disagreement.select(Disagreement.id)
                .where(Disagreement.reference == reference.upper())
                .first()
            )
            if case is None:
                f.errors["reference"] = f"No case has the reference {reference}"
            else:
                f.conditions.append(AuditEvent.disagreement_id == case["id"])
                f.described.append(f"case {reference.upper()}")
    email = values["user"]
    if email:
        if "@" not in email or len(email) > 254:
            f.errors["user"] = "Enter the person's email address, like name@example.com"
        else:
            account = await Account.select(Account.id).where(Account.email == normalise_email(email)).first()
            if account is None:
                f.errors["user"] = f"No account has the email address {email}"
            else:
                f.conditions.append(AuditEvent.actor == account["id"])
                f.described.append(f"by {normalise_email(email)}")
    action = values["action"]
    if action:
        if not ACTION_PATTERN.fullmatch(action):
            f.errors["action"] = (
                "Enter an action as the log names it, like session_booked or sign_in: lower-case letters, "
                "numbers, dots and underscores, at most 60 characters"
            )
        else:
            f.conditions.append(AuditEvent.action.is_in(_actions(action)))
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
            f.conditions.append(AuditEvent.at >= _local_midnight(start))
            f.described.append(f"from {start:%d %B %Y}")
        if end:  # the whole of the last day, in England
            f.conditions.append(AuditEvent.at < _local_midnight(end + dt.timedelta(days=1)))
            f.described.append(f"to {end:%d %B %Y}")
    return f


# --- The keyset: a cursor is the (at, id) of the last entry shown, newest first. ---


def encode_cursor(row: Mapping[str, Any]) -> str:
    return f"{row['at'].astimezone(dt.UTC).isoformat()}_{row['id']}"


def decode_cursor(text: str | None) -> tuple[dt.datetime, int] | None:
    """The (at, id) of a cursor, or None when it cannot be read (a link typed or cut short)."""
    if not text or "_" not in text or len(text) > 80:
        return None
    at_text, _, id_text = text.rpartition("_")
    entry_id = whole_number(id_text)
    try:
        at = dt.datetime.fromisoformat(at_text)
    except ValueError:
        return None
    if entry_id is None or at.tzinfo is None:
        return None
    return at, entry_id


# A row-value comparison, not `at < x OR (at = x AND id < y)`: PostgreSQL (and SQLite) use it as the
# index range condition on (..., at, id), where the OR form is only a filter after the scan.
def _older_than(at: dt.datetime, entry_id: int) -> WhereRaw:
    return WhereRaw('("audit_event"."at", "audit_event"."id") < ({}, {})', at, entry_id)


def _newer_than(at: dt.datetime, entry_id: int) -> WhereRaw:
    return WhereRaw('("audit_event"."at", "audit_event"."id") > ({}, {})', at, entry_id)


async def page_of(
    filters: Filters, *, older: tuple[dt.datetime, int] | None, newer: tuple[dt.datetime, int] | None
) -> tuple[list[dict[str, Any]], bool, bool]:
    """One page newest first, and whether there are older and newer entries beyond it."""
    conditions = list(filters.conditions)
    newest_first = newer is None
    if older is not None:
        conditions.append(_older_than(*older))
    if newer is not None:
        conditions.append(_newer_than(*newer))
    query = AuditEvent.select(*COLUMNS)
    for condition in conditions:
        query = query.where(condition)
    rows = await query.order_by(AuditEvent.at, AuditEvent.id, ascending=not newest_first).limit(PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if newest_first:
        return rows, more, older is not None
    rows.reverse()
    return rows, newer is not None, more


async def _references(rows: list[dict[str, Any]]) -> dict[int, str]:
    ids = sorted({r["disagreement_id"] for r in rows if r["disagreement_id"] is not None})
    if not ids:
        return {}
    found = await Disagreement.select(Disagreement.id, Disagreement.reference).where(
        Disagreement.id.is_in(ids)
    )
    return {r["id"]: r["reference"] for r in found}


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
        rows, has_older, has_newer = await page_of(filters, older=older, newer=newer)
    references = await _references(rows)
    events = [
        {**r, "when": _when(r["at"]), "reference": references.get(r["disagreement_id"] or 0, "")}
        for r in rows
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


# --- CSV export ---

CSV_HEADER = (
    "id",
    "at_utc",
    "who",
    "action",
    "record",
    "record_id",
    "case_reference",
    "summary",
    "before",
    "after",
    "client",
)


def neutralise(value: object) -> str:
    """A cell as text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _json(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


async def export_rows(filters: Filters) -> AsyncIterator[str]:
    """The header, then every filtered entry newest first, read EXPORT_BATCH at a time by keyset."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    cursor: tuple[dt.datetime, int] | None = None
    while True:
        query = AuditEvent.select(*COLUMNS, AuditEvent.before, AuditEvent.after, AuditEvent.client).output(
            load_json=False
        )
        for condition in filters.conditions:
            query = query.where(condition)
        if cursor is not None:
            query = query.where(_older_than(*cursor))
        rows = await query.order_by(AuditEvent.at, AuditEvent.id, ascending=False).limit(EXPORT_BATCH)
        references = await _references(rows)
        for r in rows:
            writer.writerow(
                [
                    neutralise(v)
                    for v in (
                        r["id"],
                        r["at"].astimezone(dt.UTC).isoformat(),
                        r["actor_label"],
                        r["action"],
                        r["entity"],
                        r["entity_id"],
                        references.get(r["disagreement_id"] or 0, ""),
                        r["summary"],
                        _json(r["before"]),
                        _json(r["after"]),
                        r["client"],
                    )
                ]
            )
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(rows) < EXPORT_BATCH:
            return
        cursor = (rows[-1]["at"], rows[-1]["id"])


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
    query = AuditEvent.count()
    for condition in filters.conditions:
        query = query.where(condition)
    count = await query
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
        export_rows(filters),
        media_type="text/csv",  # Litestar adds "; charset=utf-8"
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ROUTES = [audit_page, audit_csv]
