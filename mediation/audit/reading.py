"""Reading the audit log, for the admins' page (`audit_log/pages.py`): nothing can change or delete an entry.

Filtered by case, person, action and a date range; paged newest first with a keyset on (at, id) (never
OFFSET: a deep page costs what the first one does, and an entry added meanwhile does not shift the pages);
exported as CSV with formula cells neutralised. The filters arrive already resolved to ids (a case
reference and a person's email are the page's to look up, in the capabilities above this one).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Select

from mediation.audit.tables import AuditEvent
from mediation.db_typing import Condition
from mediation.web.forms import whole_number

PAGE_SIZE = 100
EXPORT_BATCH = 500
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

# Case id -> reference, for the cases that exist (`cases.repository.references`).
References = Callable[[Sequence[int]], Awaitable[dict[int, str]]]


@dataclass
class Filters:
    """What the admin asked for, read and checked (`audit_log/pages.py: read_filters`): the values as typed,
    the problems with them, and what they narrow the log to."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    described: list[str] = field(default_factory=list)
    case_id: int | None = None
    actor_id: int | None = None
    actions: list[str] | None = None
    since: dt.datetime | None = None  # at or after
    before: dt.datetime | None = None  # strictly before

    @property
    def conditions(self) -> list[Condition]:
        found: list[Condition] = []
        if self.case_id is not None:
            found.append(AuditEvent.disagreement_id == self.case_id)
        if self.actor_id is not None:
            found.append(AuditEvent.actor == self.actor_id)
        if self.actions is not None:
            found.append(AuditEvent.action.is_in(self.actions))
        if self.since is not None:
            found.append(AuditEvent.at >= self.since)
        if self.before is not None:
            found.append(AuditEvent.at < self.before)
        return found

    def query(self) -> str:
        """The filters as a query string for links (paging, export)."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.values.items() if k in FILTER_FIELDS and v})


# --- The keyset: a cursor is the (at, id) of the last entry shown, newest first. ---


def encode_cursor(row: dict[str, Any]) -> str:
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


def page_query(
    filters: Filters, *, older: tuple[dt.datetime, int] | None, newer: tuple[dt.datetime, int] | None
) -> Select:
    """The page's query: PAGE_SIZE + 1 entries in (at, id) order, newest first unless `newer`. Each filter
    has an index ending in (at, id) to read it from (audit_event_keyset and its actor, action and case
    twins), and no other index leads with a filtered column: with one, PostgreSQL would read every match
    and sort them whenever its statistics underrate the match (an actor's 73,641 events, 35 ms at 1M)."""
    conditions = list(filters.conditions)
    if older is not None:
        conditions.append(_older_than(*older))
    if newer is not None:
        conditions.append(_newer_than(*newer))
    query = AuditEvent.select(*COLUMNS)
    for condition in conditions:
        query = query.where(condition)
    return query.order_by(AuditEvent.at, AuditEvent.id, ascending=newer is not None).limit(PAGE_SIZE + 1)


async def page_of(
    filters: Filters, *, older: tuple[dt.datetime, int] | None, newer: tuple[dt.datetime, int] | None
) -> tuple[list[dict[str, Any]], bool, bool]:
    """One page newest first, and whether there are older and newer entries beyond it."""
    newest_first = newer is None
    rows = await page_query(filters, older=older, newer=newer)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if newest_first:
        return rows, more, older is not None
    rows.reverse()
    return rows, newer is not None, more


async def count(filters: Filters) -> int:
    query = AuditEvent.count()
    for condition in filters.conditions:
        query = query.where(condition)
    return await query


async def references_of(rows: list[dict[str, Any]], references: References) -> dict[int, str]:
    ids = sorted({r["disagreement_id"] for r in rows if r["disagreement_id"] is not None})
    if not ids:
        return {}
    return await references(ids)


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


async def export_rows(filters: Filters, references: References) -> AsyncIterator[str]:
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
        found = await references_of(rows, references)
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
                        found.get(r["disagreement_id"] or 0, ""),
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
