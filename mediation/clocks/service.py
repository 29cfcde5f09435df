"""The one writer of statutory clocks: start, recompute, set a date the law lets someone else set, stop.

Every function runs inside the caller's transaction (a case event's), writes its own audit line, and keeps
the case's `next_due_date` (the earliest running clock a body must meet) for the queues. Titles and who
must act come from the rule catalogue. A rule runs at most once at a time per body on a case (a unique
index), so a clock can never be doubled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec
from piccolo.columns import Column

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.clocks.model import ACTOR_LABELS, CaseClock, rule_title
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.rules.calendar import format_date
from mediation.rules.catalogue import BODIES, versions
from mediation.rules.deadlines import Deadline, compute_deadline


def default_actor(rule_id: str) -> str:
    return versions(rule_id)[-1].actor


class ClockView(msgspec.Struct):
    """A clock as pages and the API show it (api-contract.md `clocks[]`)."""

    rule: str
    title: str
    who_must_act: str
    actor_label: str
    started_on: dt.date
    due: dt.date
    status: str  # running, met, late, breached, cancelled
    citation: str
    rule_status: str
    explanation: list[str]
    started_by: str
    stopped_on: dt.date | None
    stop_reason: str


def view_of(clock: CaseClock, today: dt.date) -> ClockView:
    return ClockView(
        rule=clock.rule,
        title=clock.title,
        who_must_act=clock.actor,
        actor_label=ACTOR_LABELS.get(clock.actor, clock.actor),
        started_on=clock.started_on,
        due=clock.due,
        status=clock.status_on(today),
        citation=clock.citation,
        rule_status=clock.rule_status,
        explanation=list(clock.explanation),
        started_by=clock.started_by,
        stopped_on=clock.stopped_on,
        stop_reason=clock.stop_reason,
    )


def _running(case_id: int, rule_id: str, actor: str | None = None):
    where = (
        (StatutoryClock.disagreement == case_id)
        & (StatutoryClock.rule == rule_id)
        & (StatutoryClock.status == ClockStatus.running.value)
    )
    return where if actor is None else where & (StatutoryClock.actor == actor)


async def start_clock(
    case_id: int,
    rule_id: str,
    inputs: Mapping[str, dt.date | str],
    *,
    started_on: dt.date,
    started_by: str,
    decision_date: dt.date,
    actor: str | None = None,
    recorded_by: CurrentUser | None = None,
    keep_running: bool = False,
) -> dt.date:
    """Start a clock from `started_on`, or recompute the running one (a new input, e.g. a certificate for
    `appeal`). `actor`: who must act, when the catalogue allows more than one (the ICB on a health-only
    case). `keep_running`: leave a running clock as it is (a re-route must not restart the law's clock).
    Returns the due date."""
    deadline = compute_deadline(rule_id, inputs, decision_date=decision_date)
    return await _write(
        case_id,
        rule_id,
        deadline.due,
        list(deadline.explanation),
        citation=deadline.citation,
        rule_status=deadline.status,
        started_on=started_on,
        started_by=started_by,
        actor=actor or default_actor(rule_id),
        recorded_by=recorded_by,
        keep_running=keep_running,
    )


async def start_agreed_clock(
    case_id: int,
    rule_id: str,
    due: dt.date,
    explanation: list[str],
    *,
    citation: str,
    started_on: dt.date,
    started_by: str,
    actor: str,
    recorded_by: CurrentUser | None = None,
) -> dt.date:
    """A clock whose date the law lets the parties set (reg 42(5)): recorded, not computed."""
    return await _write(
        case_id,
        rule_id,
        due,
        explanation,
        citation=citation,
        rule_status=versions(rule_id)[-1].status,
        started_on=started_on,
        started_by=started_by,
        actor=actor,
        recorded_by=recorded_by,
    )


async def _write(
    case_id: int,
    rule_id: str,
    due: dt.date,
    explanation: list[str],
    *,
    citation: str,
    rule_status: str,
    started_on: dt.date,
    started_by: str,
    actor: str,
    recorded_by: CurrentUser | None,
    keep_running: bool = False,
) -> dt.date:
    now = timekeeping.now()
    running = (
        await StatutoryClock.select(StatutoryClock.id, StatutoryClock.due, StatutoryClock.version)
        .where(_running(case_id, rule_id, actor))
        .first()
    )
    if running is not None and keep_running:
        return running["due"]
    values: dict[Column, Any] = {
        StatutoryClock.due: due,
        StatutoryClock.started_on: started_on,
        StatutoryClock.citation: citation,
        StatutoryClock.rule_status: rule_status,
        StatutoryClock.explanation: explanation,
        StatutoryClock.started_by: started_by,
        StatutoryClock.updated_at: now,
    }
    title = rule_title(rule_id)
    if running is None:
        await StatutoryClock.insert(
            StatutoryClock(
                disagreement=case_id,
                rule=rule_id,
                actor=actor,
                status=ClockStatus.running.value,
                created_at=now,
                **{column._meta.name: value for column, value in values.items()},
            )
        )
        action, summary = "clock_start", f"Clock started: {title}, due {format_date(due)} ({started_by})"
    else:
        # Piccolo's update() takes Column | str keys; dict keys are invariant, so dict[Column, Any] fails.
        await StatutoryClock.update({**values, StatutoryClock.version: running["version"] + 1}).where(  # type: ignore[dict-item]
            StatutoryClock.id == running["id"]
        )
        action, summary = (
            "clock_recompute",
            f"Clock recomputed: {title}, due {format_date(due)} ({started_by})",
        )
    await audit.record(
        actor=recorded_by,
        action=action,
        entity="statutory_clock",
        entity_id=f"{case_id}:{rule_id}",
        summary=summary,
        after={"rule": rule_id, "due": due.isoformat(), "actor": actor},
        disagreement_id=case_id,
    )
    await refresh_next_due(case_id)
    return due


async def direct_due(
    case_id: int, rule_id: str, due: dt.date, reason: str, *, recorded_by: CurrentUser | None
) -> bool:
    """A date someone with the power to set it has set (the tribunal's directed date): replaces the
    running clock's computed date, which stays in the explanation. False if the clock is not running."""
    row = (
        await StatutoryClock.select(StatutoryClock.id, StatutoryClock.explanation, StatutoryClock.version)
        .where(_running(case_id, rule_id))
        .output(load_json=True)
        .first()
    )
    if row is None:
        return False
    await StatutoryClock.update(
        {
            StatutoryClock.due: due,
            StatutoryClock.explanation: [*(row["explanation"] or []), reason],
            StatutoryClock.version: row["version"] + 1,
            StatutoryClock.updated_at: timekeeping.now(),
        }
    ).where(StatutoryClock.id == row["id"])
    await audit.record(
        actor=recorded_by,
        action="clock_recompute",
        entity="statutory_clock",
        entity_id=f"{case_id}:{rule_id}",
        summary=f"Clock changed: {rule_title(rule_id)}, due {format_date(due)} ({reason})",
        after={"rule": rule_id, "due": due.isoformat()},
        disagreement_id=case_id,
    )
    await refresh_next_due(case_id)
    return True


async def stop_clock(
    case_id: int,
    rule_id: str,
    *,
    on: dt.date,
    reason: str,
    status: ClockStatus = ClockStatus.met,
    actor: str | None = None,
    recorded_by: CurrentUser | None = None,
) -> bool:
    """Stop the running clock of a rule (for one body with `actor`): met, or cancelled when it no longer
    applies. False if none was running."""
    stopped = (
        await StatutoryClock.update(
            {
                StatutoryClock.status: status.value,
                StatutoryClock.stopped_on: on,
                StatutoryClock.stop_reason: reason,
                StatutoryClock.updated_at: timekeeping.now(),
            }
        )
        .where(_running(case_id, rule_id, actor))
        .returning(StatutoryClock.id, StatutoryClock.due)
    )
    for row in stopped:
        late = status is ClockStatus.met and on > row["due"]
        verb = "cancelled" if status is ClockStatus.cancelled else ("met late" if late else "met")
        await audit.record(
            actor=recorded_by,
            action="clock_cancelled" if status is ClockStatus.cancelled else "clock_met",
            entity="statutory_clock",
            entity_id=f"{case_id}:{rule_id}:{row['id']}",
            summary=f"Clock {verb}: {rule_title(rule_id)} ({reason})",
            disagreement_id=case_id,
        )
    if stopped:
        await refresh_next_due(case_id)
    return bool(stopped)


async def cancel_all(case_id: int, *, on: dt.date, reason: str, recorded_by: CurrentUser | None) -> int:
    """Every running clock on the case no longer applies (the case was withdrawn)."""
    rules = await StatutoryClock.select(StatutoryClock.rule, StatutoryClock.actor).where(
        (StatutoryClock.disagreement == case_id) & (StatutoryClock.status == ClockStatus.running.value)
    )
    for row in rules:
        await stop_clock(
            case_id,
            row["rule"],
            on=on,
            reason=reason,
            status=ClockStatus.cancelled,
            actor=row["actor"],
            recorded_by=recorded_by,
        )
    return len(rules)


async def met_at_once(
    case_id: int,
    rule_id: str,
    deadline: Deadline,
    *,
    on: dt.date,
    started_by: str,
    reason: str,
    actor: str,
    recorded_by: CurrentUser | None,
) -> None:
    """A duty done in the same act that starts it (the notice of a meeting goes with the booking). A case
    keeps one such clock per rule: a later act (the meeting moved) updates it in place."""
    now = timekeeping.now()
    latest = (
        await StatutoryClock.select(StatutoryClock.id, StatutoryClock.version)
        .where((StatutoryClock.disagreement == case_id) & (StatutoryClock.rule == rule_id))
        .order_by(StatutoryClock.id, ascending=False)
        .first()
    )
    values: dict[Column, Any] = {
        StatutoryClock.due: deadline.due,
        StatutoryClock.started_on: on,
        StatutoryClock.citation: deadline.citation,
        StatutoryClock.rule_status: deadline.status,
        StatutoryClock.explanation: list(deadline.explanation),
        StatutoryClock.started_by: started_by,
        StatutoryClock.status: ClockStatus.met.value,
        StatutoryClock.stopped_on: on,
        StatutoryClock.stop_reason: reason,
        StatutoryClock.actor: actor,
        StatutoryClock.updated_at: now,
    }
    if latest is None:
        await StatutoryClock.insert(
            StatutoryClock(
                disagreement=case_id,
                rule=rule_id,
                created_at=now,
                **{column._meta.name: value for column, value in values.items()},
            )
        )
    else:
        # Piccolo's update() takes Column | str keys; dict keys are invariant, so dict[Column, Any] fails.
        await StatutoryClock.update({**values, StatutoryClock.version: latest["version"] + 1}).where(  # type: ignore[dict-item]
            StatutoryClock.id == latest["id"]
        )
    late = on > deadline.due
    await audit.record(
        actor=recorded_by,
        action="clock_met",
        entity="statutory_clock",
        entity_id=f"{case_id}:{rule_id}",
        summary=f"Clock {'met late' if late else 'met'}: {rule_title(rule_id)}, due "
        f"{format_date(deadline.due)} ({reason})",
        after={"rule": rule_id, "due": deadline.due.isoformat(), "stopped_on": on.isoformat()},
        disagreement_id=case_id,
    )


async def refresh_next_due(case_id: int) -> None:
    """Keep the case's nearest running due date a body must meet in a column, so queues sort by an index
    (api-contract.md: `next_due_date` is never a family's own time limit)."""
    row = (
        await StatutoryClock.select(StatutoryClock.due)
        .where(
            (StatutoryClock.disagreement == case_id)
            & (StatutoryClock.status == ClockStatus.running.value)
            & StatutoryClock.actor.is_in(sorted(BODIES))
        )
        .order_by(StatutoryClock.due)
        .first()
    )
    if _next_due_writer is None:
        raise RuntimeError("no writer of a case's next_due_date: import mediation.cases.tables first")
    await _next_due_writer(case_id, row["due"] if row else None)


# The case row (and so its `next_due_date` column) belongs to `cases`, a higher layer than clocks: cases
# register its writer here when `cases/tables.py` is imported (`cases/lower_layers.py: write_next_due`),
# as it is in any process that has a case. A clock written with none registered is a bug, not a skipped
# update: `refresh_next_due` raises.
NextDueWriter = Callable[[int, dt.date | None], Awaitable[None]]
_next_due_writer: NextDueWriter | None = None


def keep_next_due_with(writer: NextDueWriter) -> None:
    """Register the one function that stores a case's nearest due date a body must meet."""
    global _next_due_writer
    _next_due_writer = writer
