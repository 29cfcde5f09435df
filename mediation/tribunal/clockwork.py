"""Clock steps the shared clock service has no call for: a tribunal-directed date replacing a computed one,
and recommendation clocks, which can run twice on one case (one per body) and are owed by the ICB or the LA.
All run inside the caller's transaction and are audited like the shared ones."""

from __future__ import annotations

import datetime as dt

from mediation.audit import service as audit
from mediation.cases.tables import Disagreement
from mediation.clocks.service import refresh_next_due, title_for
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import is_postgres
from mediation.identity import CurrentUser
from mediation.rules.calendar import WorkingCalendar
from mediation.rules.deadlines import compute_deadline
from mediation.tribunal.words import long_day


async def lock_case(case_id: int) -> None:
    """Serialise tribunal changes to one case (PostgreSQL row lock; SQLite write transactions are already
    exclusive), so re-reads inside the transaction are current and two clerks cannot double-record."""
    if is_postgres():
        await Disagreement.select(Disagreement.id).where(Disagreement.id == case_id).lock_rows()


async def running_clock_id(case_id: int, rule: str) -> int | None:
    row = (
        await StatutoryClock.select(StatutoryClock.id)
        .where(
            (StatutoryClock.disagreement == case_id)
            & (StatutoryClock.rule == rule)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .first()
    )
    return None if row is None else int(row["id"])


async def override_due(
    case_id: int, rule: str, due: dt.date, reason: str, *, actor: CurrentUser | None
) -> None:
    """Replace a running clock's computed date by one the tribunal directed (the computed one stays in the
    explanation)."""
    row = (
        await StatutoryClock.select(StatutoryClock.id, StatutoryClock.explanation, StatutoryClock.version)
        .where(
            (StatutoryClock.disagreement == case_id)
            & (StatutoryClock.rule == rule)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .output(load_json=True)
        .first()
    )
    if row is None:
        return
    explanation = [*(row["explanation"] or []), reason]
    await StatutoryClock.update(
        {
            StatutoryClock.due: due,
            StatutoryClock.explanation: explanation,
            StatutoryClock.version: row["version"] + 1,
            StatutoryClock.updated_at: dt.datetime.now(dt.UTC),
        }
    ).where(StatutoryClock.id == row["id"])
    await audit.record(
        actor=actor,
        action="clock_recompute",
        entity="statutory_clock",
        entity_id=f"{case_id}:{rule}",
        summary=f"Clock changed: {title_for(rule)}, due {long_day(due)} (directed by the tribunal)",
        after={"rule": rule, "due": due.isoformat()},
        disagreement_id=case_id,
    )
    await refresh_next_due(case_id)


async def start_body_clock(
    case_id: int,
    rule: str,
    start: dt.date,
    *,
    owed_by_role: str,
    started_by: str,
    decision_date: dt.date,
    calendar: WorkingCalendar,
    actor: CurrentUser | None,
    clock_id: int | None = None,
) -> tuple[int, dt.date]:
    """Start a clock owed by a given kind of body (or recompute the running one with `clock_id`)."""
    deadline = compute_deadline(rule, {"start": start}, decision_date=decision_date, calendar=calendar)
    now = dt.datetime.now(dt.UTC)
    values = {
        StatutoryClock.due: deadline.due,
        StatutoryClock.started_on: start,
        StatutoryClock.citation: deadline.citation,
        StatutoryClock.rule_status: deadline.status,
        StatutoryClock.explanation: list(deadline.explanation),
        StatutoryClock.started_by: started_by,
        StatutoryClock.updated_at: now,
    }
    running = None
    if clock_id is not None:
        running = (
            await StatutoryClock.select(StatutoryClock.version)
            .where((StatutoryClock.id == clock_id) & (StatutoryClock.status == ClockStatus.running.value))
            .first()
        )
    if running is None:
        rows = await StatutoryClock.insert(
            StatutoryClock(
                disagreement=case_id,
                rule=rule,
                actor=owed_by_role,
                status=ClockStatus.running.value,
                created_at=now,
                **{column._meta.name: value for column, value in values.items()},
            )
        ).returning(StatutoryClock.id)
        clock_id = int(rows[0]["id"])
        verb, action = "started", "clock_start"
    else:
        assert clock_id is not None
        await StatutoryClock.update({**values, StatutoryClock.version: running["version"] + 1}).where(
            StatutoryClock.id == clock_id
        )
        verb, action = "recomputed", "clock_recompute"
    await audit.record(
        actor=actor,
        action=action,
        entity="statutory_clock",
        entity_id=f"{case_id}:{rule}:{clock_id}",
        summary=f"Clock {verb}: {title_for(rule)}, due {long_day(deadline.due)} ({started_by})",
        after={"rule": rule, "due": deadline.due.isoformat(), "actor": owed_by_role},
        disagreement_id=case_id,
    )
    await refresh_next_due(case_id)
    return clock_id, deadline.due
