"""The work queue: the cases a person may see, nearest statutory deadline first, filtered, searched and
paged by keyset, in a bounded number of queries whatever the page size or the page's depth.

The order is (next_due_date, id) with cases that have nothing due last. Those are two index ranges, the
dated cases and the undated ones, so a page reads each range from where the cursor stands (a row-value
comparison the index serves) instead of one OR a planner can only filter by. Risk filters are ranges on
next_due_date bounded by today's working days, never computed per row (indexes: migration
2026-12-01T17:00:01, trigram ones 17:00:03).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw, Select

from mediation import query_building, timekeeping
from mediation.access import visible_cases
from mediation.accounts.tables import Account
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.db_typing import Condition
from mediation.errors import Invalid
from mediation.identity import CurrentUser
from mediation.query_building import one_of
from mediation.rules.calendar import DEFAULT_CALENDAR

# A case is at risk when its nearest deadline is this many working days away or fewer.
AT_RISK_WORKING_DAYS = 5
RISK_LABELS = {"overdue": "Overdue", "at_risk": "Due within 5 working days", "on_track": "On track"}
SCOPES = ("education", "health", "social_care")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SEARCH_MAX_LENGTH = 100
_REFERENCE = re.compile(r"SM-[0-9A-F]{8}")
_INT_MAX = 2**31 - 1


class CaseSummary(msgspec.Struct):
    reference: str
    child_name: str
    decision: str
    sections: list[str]
    scope: list[str]
    arranged_by: str | None
    state: str
    local_authority: str
    icb: str | None
    next_due_date: dt.date | None
    risk: str
    family_name: str = ""
    assigned_to: str | None = None  # the officer's email


class QueuePage(msgspec.Struct):
    """One page of the queue, with the cursors of the pages either side (None at either end)."""

    cases: list[CaseSummary]
    next: str | None = None
    previous: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: the (next_due_date, id) of a case; `due` None for an undated case."""

    due: dt.date | None
    id: int

    def text(self) -> str:
        return f"{self.due.isoformat() if self.due else 'none'}_{self.id}"


def read_cursor(text: str | None, *, field: str) -> Position | None:
    """The position a cursor names (None for none); Invalid when it cannot be read (a link cut short)."""
    if text is None or text == "":
        return None
    due_text, _, id_text = text.partition("_")
    problem = Invalid(
        f"{field} is not a cursor this service gave: start again from the first page", field=field
    )
    if not (id_text.isascii() and id_text.isdigit()) or len(id_text) > 10 or int(id_text) > _INT_MAX:
        raise problem
    if due_text == "none":
        return Position(None, int(id_text))
    try:
        return Position(dt.date.fromisoformat(due_text), int(id_text))
    except ValueError:
        raise problem from None


@dataclass(frozen=True)
class QueueFilters:
    state: str | None = None
    scope: str | None = None
    risk: str | None = None
    q: str | None = None  # a reference, or part of the child's or the family's name
    assigned_to: str | None = None  # "me", "none" or an officer's email

    def any(self) -> bool:
        return any((self.state, self.scope, self.risk, self.q, self.assigned_to))


def risk_bounds(today: dt.date) -> dt.date:
    """The last date that still counts as 'at risk' (5 working days from today)."""
    return DEFAULT_CALENDAR.add_working_days(today, AT_RISK_WORKING_DAYS).date


def risk_of(due: dt.date | None, today: dt.date, at_risk_until: dt.date) -> str:
    if due is None:
        return "on_track"
    if due < today:
        return "overdue"
    return "at_risk" if due <= at_risk_until else "on_track"


_SUMMARY_COLUMNS = (
    DisagreementRow.id,
    DisagreementRow.reference,
    DisagreementRow.child_name,
    DisagreementRow.decision,
    DisagreementRow.sections,
    DisagreementRow.scope,
    DisagreementRow.arranged_by,
    DisagreementRow.state,
    DisagreementRow.local_authority.name.as_alias("local_authority"),
    DisagreementRow.icb.name.as_alias("icb"),
    DisagreementRow.next_due_date,
    DisagreementRow.family.full_name.as_alias("family_name"),
    DisagreementRow.assigned_to.email.as_alias("assigned_email"),
)
_DUE = DisagreementRow.next_due_date


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_condition(q: str) -> Condition:
    """A reference (SM-…) is matched exactly, through its unique index; anything else is part of the
    child's or the family's name (trigram indexes on PostgreSQL)."""
    text = q.strip()
    if _REFERENCE.fullmatch(text.upper()):
        return DisagreementRow.reference == text.upper()
    if _REFERENCE.fullmatch("SM-" + text.upper()):  # a reference typed without its "SM-"
        return DisagreementRow.reference == "SM-" + text.upper()
    pattern = _like_pattern(text)
    return WhereRaw(
        '(lower("disagreement"."child_name") LIKE {} ESCAPE \'\\\' OR "disagreement"."family" IN '
        '(SELECT "id" FROM "account" WHERE lower("full_name") LIKE {} ESCAPE \'\\\'))',
        pattern,
        pattern,
    )


async def _assignee_condition(user: CurrentUser, assigned_to: str) -> Condition:
    if assigned_to == "me":
        return DisagreementRow.assigned_to == user.id
    if assigned_to == "none":
        return DisagreementRow.assigned_to.is_null()
    # An officer of the user's own body, by email; anyone else's email simply matches nothing.
    found = (
        await Account.select(Account.id)
        .where(
            (Account.email == assigned_to.strip().lower()) & (Account.organisation == user.organisation_id)
        )
        .first()
    )
    return DisagreementRow.assigned_to == (found["id"] if found else -1)


async def _conditions(user: CurrentUser, filters: QueueFilters) -> Condition:
    where = visible_cases(user)
    if filters.state:
        where = where & (DisagreementRow.state == filters.state)
    if filters.scope:
        where = where & DisagreementRow.scope.like(f"%{filters.scope}%")
    if filters.q and filters.q.strip():
        where = where & search_condition(filters.q)
    if filters.assigned_to:
        where = where & await _assignee_condition(user, filters.assigned_to)
    return where


def _dated_range(risk: str | None, today: dt.date) -> Condition | None:
    """The dated cases a risk filter keeps, as a range on next_due_date (None: it keeps none)."""
    until = risk_bounds(today)
    if risk == "overdue":
        return today > _DUE
    if risk == "at_risk":
        return (today <= _DUE) & (until >= _DUE)
    if risk == "on_track":
        return until < _DUE
    return _DUE.is_not_null()


def _beyond(position: Position, *, forwards: bool) -> WhereRaw:
    # A row-value comparison is the index range condition on (..., next_due_date, id); the OR form
    # `due > x OR (due = x AND id > y)` would only filter after the scan.
    sign = ">" if forwards else "<"
    return WhereRaw(
        f'("disagreement"."next_due_date", "disagreement"."id") {sign} ({{}}, {{}})',
        position.due,
        position.id,
    )


def _segments(risk: str | None, today: dt.date, start: Position | None, *, forwards: bool) -> list[Condition]:
    """The ranges to read, in reading order, from `start` (exclusive) onwards or backwards."""
    dated = _dated_range(risk, today)
    undated: Condition | None = _DUE.is_null() if risk in (None, "on_track") else None
    if start is not None and start.due is None:  # inside the undated range
        if undated is None:
            return []
        sign = DisagreementRow.id > start.id if forwards else DisagreementRow.id < start.id
        rest = [undated & sign]
        return rest + ([dated] if dated is not None and not forwards else [])
    if dated is not None and start is not None:
        dated = dated & _beyond(start, forwards=forwards)
    ranges = [r for r in (dated, undated) if r is not None]
    if not forwards:
        ranges = [dated] if dated is not None else []  # nothing undated comes before a dated case
    return ranges


def _query(where: Condition, *, forwards: bool, limit: int) -> Select:
    # Only the keyset here, no joins: the planner cannot then join every matching row before the LIMIT
    # when it underestimates them (an LA's share of one state); `_details` names the page's rows after.
    # Not one query with the keyset as a subquery: PostgreSQL then plans the five-table join afresh for
    # every page filtered by a bound date or pattern (it never settles on a generic plan), 0.5-0.8 ms of
    # its CPU a page at 1M cases against a round trip saved (docs/benchmarks.md, sixth pass).
    return query_building.built_once(
        "queue keyset",
        DisagreementRow.select(DisagreementRow.id, DisagreementRow.next_due_date)
        .where(where)
        .order_by(DisagreementRow.next_due_date, DisagreementRow.id, ascending=forwards)
        .limit(limit),
    )


async def queue_queries(
    user: CurrentUser,
    filters: QueueFilters = QueueFilters(),
    *,
    limit: int = PAGE_SIZE,
    after: Position | None = None,
    before: Position | None = None,
) -> list[Select]:
    """Every query a page may run, unrun (the plan test reads their plans)."""
    forwards = before is None
    where = await _conditions(user, filters)
    start = after if forwards else before
    return [
        _query(where & segment, forwards=forwards, limit=limit + 1)
        for segment in _segments(filters.risk, timekeeping.today(), start, forwards=forwards)
    ]


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def _handling_role(arranged_by: str | None) -> str:
    return "health_commissioner" if arranged_by == "health_commissioner" else "la_coordinator"


def _summary(r: dict, today: dt.date, until: dt.date, role: str) -> CaseSummary:
    """One row; the assignee only for the handling body's staff (never the family, as on the case)."""
    return CaseSummary(
        reference=r["reference"],
        child_name=r["child_name"],
        decision=r["decision"],
        sections=_split(r["sections"]),
        scope=_split(r["scope"]),
        arranged_by=r["arranged_by"],
        state=r["state"],
        local_authority=r["local_authority"],
        icb=r["icb"],
        next_due_date=r["next_due_date"],
        risk=risk_of(r["next_due_date"], today, until),
        family_name=r["family_name"] or "",
        assigned_to=r["assigned_email"] if role == _handling_role(r["arranged_by"]) else None,
    )


async def _details(ids: list[int]) -> dict[int, dict]:
    """The summary columns of a page's cases, by id: one query by primary key whatever the page size."""
    if not ids:
        return {}
    engine = DisagreementRow._meta.db.engine_type
    rows = await query_building.built_once(
        "queue summaries",
        DisagreementRow.select(*_SUMMARY_COLUMNS).where(one_of('"disagreement"."id"', ids, engine)),
    )
    return {r["id"]: r for r in rows}


async def queue_page(
    user: CurrentUser,
    filters: QueueFilters = QueueFilters(),
    *,
    limit: int = PAGE_SIZE,
    after: Position | None = None,
    before: Position | None = None,
    offset: int = 0,
) -> QueuePage:
    """One page: the first, the one after `after`, or the one before `before`. `offset` is the API's
    older way of paging, kept for its clients: its cost grows with the depth, a cursor's does not."""
    if after is not None and before is not None:
        raise Invalid("Give either after or before, not both", field="before")
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    today = timekeeping.today()
    forwards = before is None
    where = await _conditions(user, filters)
    if offset and after is None and before is None:
        return await _offset_page(where, filters.risk, today, limit=limit, offset=offset, role=user.role)
    rows: list[dict] = []
    for segment in _segments(filters.risk, today, after if forwards else before, forwards=forwards):
        rows += await _query(where & segment, forwards=forwards, limit=limit + 1 - len(rows))
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    if not forwards:
        rows.reverse()
    until = risk_bounds(today)
    positions = [Position(r["next_due_date"], r["id"]) for r in rows]
    has_next = more if forwards else True
    has_previous = after is not None if forwards else more
    details = await _details([p.id for p in positions])
    return QueuePage(
        cases=[_summary(details[p.id], today, until, user.role) for p in positions],
        next=positions[-1].text() if positions and has_next else None,
        previous=positions[0].text() if positions and has_previous else None,
    )


async def _offset_page(
    where: Condition, risk: str | None, today: dt.date, *, limit: int, offset: int, role: str
) -> QueuePage:
    ranges = _segments(risk, today, None, forwards=True)
    if not ranges:
        return QueuePage(cases=[])
    either = ranges[0] if len(ranges) == 1 else ranges[0] | ranges[1]
    rows = (
        await DisagreementRow.select(*_SUMMARY_COLUMNS)
        .where(where & either)
        .order_by(OrderByRaw('"disagreement"."next_due_date" IS NULL'))
        .order_by(DisagreementRow.next_due_date, DisagreementRow.id)
        .limit(limit + 1)
        .offset(offset)
    )
    until = risk_bounds(today)
    last = rows[limit - 1] if len(rows) > limit else None
    return QueuePage(
        cases=[_summary(r, today, until, role) for r in rows[:limit]],
        next=Position(last["next_due_date"], last["id"]).text() if last else None,
    )


async def list_cases(
    user: CurrentUser,
    *,
    state: str | None = None,
    scope: str | None = None,
    risk: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[CaseSummary]:
    """The first page of the cases this user may see, nearest statutory deadline first."""
    page = await queue_page(user, QueueFilters(state=state, scope=scope, risk=risk), limit=limit)
    return page.cases
