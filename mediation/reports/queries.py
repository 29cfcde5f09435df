"""One aggregate query per report figure, grouped by month (or by who must act), on SQLite and PostgreSQL.

Months are bucketed by a CASE over bound month boundaries rather than engine-specific date functions,
so both engines count the same rows into the same months, and audit timestamps are cut at midnight in
England (boundaries are converted to UTC before binding).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from mediation.audit.tables import AuditEvent
from mediation.rules.catalogue import RULE_IDS

CERTIFICATE_RULES = (
    "certificate_after_decline",
    "certificate_unable_to_arrange",
    "certificate_after_mediation",
)
MEDIATION_RULES = ("mediation_held_by_la", "mediation_held_by_icb")
DEEMED_RULES = ("certificate_unable_to_arrange",)
AGREEMENT_RULES = tuple(sorted(r for r in RULE_IDS if r.startswith("agreement_")))
ORDER_RULES = tuple(sorted(r for r in RULE_IDS if r.startswith(("order_", "unopposed_"))))
# The case events the figures read, as the case log names them (cases.events.log_action).
AGREEMENT_EVENT, APPEAL_EVENT = "mediation_held.agreement", "appeal_made"
MEDIATION_HELD_EVENTS = ("mediation_held.agreement", "mediation_held.no_agreement")
SCOPE_COLUMNS = {"local_authority": "local_authority", "icb": "icb"}
_NAME = re.compile(r"[a-z_]+(\.[a-z_]+)?")


class Query:
    """SQL text with Piccolo's `{}` placeholders and the values bound to them, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def sql(self, text: str, *args: Any) -> Query:
        assert text.count("{}") == len(args)
        self.parts.append(text)
        self.args.extend(args)
        return self

    async def rows(self) -> list[dict[str, Any]]:
        return await AuditEvent.raw(" ".join(self.parts), *self.args)


def literals(names: Sequence[str]) -> str:
    """An IN list of rule ids or actions: constants from our own code, checked, never user input."""
    assert names and all(_NAME.fullmatch(n) for n in names)
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"


def scope_column(kind: str) -> str:
    return SCOPE_COLUMNS[kind]  # KeyError for anything but a local authority or an ICB


def bucket(q: Query, column: str, boundaries: Sequence[Any]) -> Query:
    """The month number (0, 1, ...) of `column`, given the start of every month after the first."""
    if not boundaries:
        return q.sql("0")
    q.sql("CASE")
    for i, boundary in enumerate(boundaries):
        q.sql(f"WHEN {column} < {{}} THEN {i}", boundary)
    return q.sql(f"ELSE {len(boundaries)} END")


class Period:
    """The report's date range, cut into months; timestamps are bounded at midnight in England."""

    def __init__(self, start: dt.date, end: dt.date, month_starts: Sequence[dt.date], midnight: Any) -> None:
        self.start, self.end = start, end
        self.month_starts = list(month_starts)  # every month's first day after the range's first month
        self.start_at = midnight(start)
        self.end_at = midnight(end + dt.timedelta(days=1))
        self.month_starts_at = [midnight(d) for d in self.month_starts]


async def stopped_on_time(kind: str, org: int, period: Period, rules: Sequence[str]) -> list[dict[str, Any]]:
    """Clocks met in the period, and how many of them on or before their due date, per month.

    Only met clocks count: a cancelled clock no longer applied (for example the case was re-routed)."""
    q = Query().sql("SELECT")
    bucket(q, "c.stopped_on", period.month_starts)
    return await q.sql(
        "AS bucket, COUNT(*) AS total, SUM(CASE WHEN c.stopped_on <= c.due THEN 1 ELSE 0 END) AS value "
        "FROM statutory_clock c JOIN disagreement d ON d.id = c.disagreement "
        f"WHERE d.{scope_column(kind)} = {{}} AND c.rule IN {literals(rules)} AND c.status = 'met' "
        "AND c.stopped_on >= {} AND c.stopped_on <= {} GROUP BY 1",
        org,
        period.start,
        period.end,
    ).rows()


async def clocks_started(kind: str, org: int, period: Period, rules: Sequence[str]) -> list[dict[str, Any]]:
    q = Query().sql("SELECT")
    bucket(q, "c.started_on", period.month_starts)
    return await q.sql(
        "AS bucket, COUNT(*) AS value FROM statutory_clock c JOIN disagreement d ON d.id = c.disagreement "
        f"WHERE d.{scope_column(kind)} = {{}} AND c.rule IN {literals(rules)} "
        "AND c.started_on >= {} AND c.started_on <= {} GROUP BY 1",
        org,
        period.start,
        period.end,
    ).rows()


async def agreements(kind: str, org: int, period: Period) -> list[dict[str, Any]]:
    """Cases with an agreement recorded, or an agreement clock started, in the period; each case once,
    in the month it first happened."""
    q = Query().sql("SELECT b AS bucket, COUNT(*) AS value FROM (SELECT e.case_id, MIN(e.b) AS b FROM (")
    q.sql("SELECT a.disagreement_id AS case_id,")
    bucket(q, "a.at", period.month_starts_at)
    q.sql(
        f"AS b FROM audit_event a WHERE a.action = '{AGREEMENT_EVENT}' AND a.at >= {{}} AND a.at < {{}}",
        period.start_at,
        period.end_at,
    )
    q.sql("UNION ALL SELECT c.disagreement AS case_id,")
    bucket(q, "c.started_on", period.month_starts)
    return await q.sql(
        f"AS b FROM statutory_clock c WHERE c.rule IN {literals(AGREEMENT_RULES)} "
        "AND c.started_on >= {} AND c.started_on <= {}"
        f") e JOIN disagreement d ON d.id = e.case_id WHERE d.{scope_column(kind)} = {{}} "
        "GROUP BY e.case_id) per_case GROUP BY b",
        period.start,
        period.end,
        org,
    ).rows()


async def appeals_after_mediation(kind: str, org: int, period: Period) -> list[dict[str, Any]]:
    """Cases appealed in the period after a mediation was held on them."""
    q = Query().sql("SELECT")
    bucket(q, "a.at", period.month_starts_at)
    return await q.sql(
        "AS bucket, COUNT(DISTINCT a.disagreement_id) AS value "  # noqa: S608 - constants only; values bound
        "FROM audit_event a JOIN disagreement d ON d.id = a.disagreement_id "
        f"WHERE d.{scope_column(kind)} = {{}} AND a.action = '{APPEAL_EVENT}' "
        "AND a.at >= {} AND a.at < {} AND EXISTS (SELECT 1 FROM audit_event m "
        f"WHERE m.disagreement_id = a.disagreement_id AND m.action IN {literals(MEDIATION_HELD_EVENTS)} "
        "AND m.at < a.at) GROUP BY 1",
        org,
        period.start_at,
        period.end_at,
    ).rows()


async def open_breaches(kind: str, org: int, today: dt.date) -> list[dict[str, Any]]:
    """Running clocks past their due date now, by who must act (a family's own time limit excluded)."""
    return await (
        Query()
        .sql(
            "SELECT c.actor AS bucket, COUNT(*) AS value "  # noqa: S608 - constants only; values bound
            "FROM statutory_clock c JOIN disagreement d ON d.id = c.disagreement "
            f"WHERE d.{scope_column(kind)} = {{}} AND c.status = 'running' AND c.due < {{}} "
            "AND c.actor <> 'family' GROUP BY c.actor",
            org,
            today,
        )
        .rows()
    )
