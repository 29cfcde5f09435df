"""The one way a case changes: an event, checked and recorded here.

Every page, the JSON API and the scheduler's own follow-ups call `record`. In order it checks: may this
person record this event on this case (`access.PERMISSIONS`, 403); can the event happen now
(`lifecycle.transition`, 409, in the lifecycle's own words); is the date possible (422). Then, in one
transaction with the case locked, it re-checks against the case as it now stands, moves the state, applies
what the law says follows (`cases.effects`: the clocks), runs the capability's own writes, and writes the
event to the case's log, which is both the audit trail and the family's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mediation import access, timekeeping
from mediation.audit import service as audit
from mediation.cases import repository
from mediation.cases.model import Disagreement
from mediation.db import transaction
from mediation.errors import Conflict, Invalid, Refused, sentence
from mediation.identity import CurrentUser
from mediation.rules.calendar import format_long_date
from mediation.rules.errors import IllegalTransition
from mediation.rules.lifecycle import CERTIFICATE_RULES, STATE_LABELS, VARIANTS, transition


@dataclass(frozen=True)
class Change:
    """An event being applied: the case as locked inside the transaction, and what the event says."""

    case: Disagreement
    event: str
    on: dt.date
    actor: CurrentUser | None
    detail: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


Writes = Callable[[Change], Awaitable[None]]

# Rows of a higher capability that change with a case event, in its transaction (after the use case's own
# `writes`, before the law's effects): the cases capability cannot import them without importing up, so
# the capability that owns the rows registers its writes when it is imported (`add_writes`), and every
# process imports them at start-up (mediation/capabilities.py). Each event that needs them names the
# capability here, and `record` refuses that event until it has registered (a process that never imported
# it would silently skip them).
REGISTERED_WRITES_NEEDED = {
    "withdrawn": "sessions",  # sessions/service.py: the case's booked meetings are cancelled
    "succeeded": "tribunal",  # tribunal/duties.py: open duties are owed by the successor
    "session_booked": "polls",  # polls/service.py: the case's open polls close
    "offer_accepted": "polls",
}
_REGISTERED_WRITES: dict[str, dict[str, Writes]] = {}


def add_writes(event: str, capability: str, writes: Writes) -> None:
    """Register `writes` (the capability's own rows) to run inside every `event` recorded on a case."""
    _REGISTERED_WRITES.setdefault(event, {})[capability] = writes


def registered_writes(event: str) -> list[Writes]:
    needed = REGISTERED_WRITES_NEEDED.get(event)
    found = _REGISTERED_WRITES.get(event, {})
    if needed is not None and needed not in found:
        raise RuntimeError(
            f"{event!r} needs the writes of mediation.{needed}, which this process never imported "
            "(import mediation.capabilities at start-up, as mediation/app.py does)"
        )
    return list(found.values())


APPEAL_EVENTS = frozenset(
    {"la_received_appeal", "timetable_updated", "order_made", "unopposed", "decision_recorded",
     "recommendation_made"}
)  # fmt: skip


def _long(day: dt.date) -> str:
    return format_long_date(day)


def follows(case: Disagreement, event: str, detail: str | None) -> tuple[dt.date, str] | None:
    """The date of what this event follows, and what that was: an event cannot be dated before it."""
    if event == "duty_done" and detail and (clock := case.running_clock(detail)) is not None:
        return clock.started_on, f"the clock started ({_long(clock.started_on)})"
    if event == "certificate_issued":
        due = [c.started_on for c in case.running_clocks if c.rule in CERTIFICATE_RULES]
        if due:
            return min(due), f"the certificate became due ({_long(min(due))})"
    asked = {
        "health_commissioner_notified": ("notify_health_commissioner",),
        "mediation_cannot_be_arranged": ("mediation_held_by_la", "notify_health_commissioner"),
        "mediation_held": ("mediation_held_by_la", "notify_health_commissioner"),
    }
    for rule in asked.get(event, ()):
        if (clock := case.latest_clock(rule)) is not None:
            return clock.started_on, f"the family asked for mediation ({_long(clock.started_on)})"
    appeal = case.appeal
    if appeal is not None and event in APPEAL_EVENTS:
        if event == "decision_recorded" and appeal.hearing_on is not None:
            return appeal.hearing_on, f"of the hearing ({_long(appeal.hearing_on)})"
        return appeal.lodged_on, f"the appeal was sent ({_long(appeal.lodged_on)})"
    return None


def require(case: Disagreement, event: str, *, actor: CurrentUser | None, detail: str | None = None) -> None:
    """Only the permission: may this person record this event on this case (Refused otherwise)."""
    if actor is not None and not access.may(actor, event, case, detail):
        raise Refused(access.refusal(event))


def check(
    case: Disagreement,
    event: str,
    *,
    actor: CurrentUser | None,
    on: dt.date | None,
    detail: str | None = None,
    on_field: str = "on",
    label: str = "the date",
) -> None:
    """Everything but the capability's own fields: permission (Refused), the lifecycle (Conflict), the
    date (Invalid). `actor` None is the service itself (a follow-up), which needs no permission."""
    require(case, event, actor=actor, detail=detail)
    try:
        transition(case.state, event, case.facts, detail)
    except IllegalTransition as exc:
        raise Conflict(sentence(exc.reason), field="event") from exc
    if on is None:
        raise Invalid(f"Enter {label}", field=on_field)
    what = sentence(label)
    if on > timekeeping.today():
        raise Invalid(f"{what} must be today or in the past", field=on_field)
    if on < case.received_on:
        raise Invalid(
            f"{what} must be on or after {_long(case.received_on)}, the day the disagreement was received",
            field=on_field,
        )
    after = follows(case, event, detail)
    if after is not None and on < after[0]:
        raise Invalid(f"{what} must be on or after the day {after[1]}", field=on_field)


async def record(
    case: Disagreement,
    event: str,
    *,
    actor: CurrentUser | None,
    on: dt.date,
    summary: str,
    detail: str | None = None,
    data: Mapping[str, Any] | None = None,
    writes: Writes | None = None,
    then: Writes | None = None,
    before: Mapping[str, Any] | None = None,
    on_field: str = "on",
    label: str = "the date",
) -> Disagreement:
    """Record `event` on the case: checked, then applied in one transaction. Returns the case after it.

    `writes`: the capability's own rows, before the law's effects (the clocks), followed by those other
    capabilities registered for the event (`add_writes`); `then`: rows that need those clocks (a tribunal
    duty row points at its clock)."""
    from mediation.cases.effects import EFFECTS, follow_ups

    check(case, event, actor=actor, on=on, detail=detail, on_field=on_field, label=label)
    registered = registered_writes(event)
    async with transaction():
        await repository.lock_case(case.id)
        fresh = await repository.load_case(case.id)
        # Someone may have changed the case since the page was drawn: decide on what is there now.
        check(fresh, event, actor=actor, on=on, detail=detail, on_field=on_field, label=label)
        target = transition(fresh.state, event, fresh.facts, detail)
        at = timekeeping.now()
        if target != fresh.state and not await repository.save_state(fresh, target, at):
            raise Conflict("The case changed while you were working on it; reload the page and try again")
        change = Change(fresh, event, on, actor, detail, dict(data or {}))
        if writes is not None:
            await writes(change)
        for more in registered:
            await more(change)
        effect = EFFECTS.get(event)
        if effect is not None:
            await effect(change)
        if then is not None:
            await then(change)
        moved = {"state": [fresh.state, target]} if target != fresh.state else {}
        await audit.record(
            actor=actor,
            action=log_action(event, detail),
            entity="disagreement",
            entity_id=fresh.reference,
            summary=summary,
            before=({**(before or {}), "state": fresh.state} if moved else dict(before or {}))
            if (moved or before)
            else None,
            after={"on": on.isoformat(), **({"detail": detail} if detail else {}), **_plain(data)}
            | ({"state": target} if moved else {}),
            disagreement_id=fresh.id,
        )
        await follow_ups(change)
    return await repository.load_case(case.id)


def log_action(event: str, detail: str | None) -> str:
    """The case log's name for an event: the event, with its outcome where it has one
    ("mediation_held.agreement"), so reports can count outcomes from the log alone."""
    return f"{event}.{detail}" if event in VARIANTS and detail else event


def _plain(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """What of the event's data is worth keeping in the log: dates, words and numbers."""
    kept: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if isinstance(value, dt.date):
            kept[key] = value.isoformat()
        elif isinstance(value, str | int | bool) or value is None:
            kept[key] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            kept[key] = list(value)
    return kept


def state_words(state: str) -> str:
    return STATE_LABELS.get(state, state)
