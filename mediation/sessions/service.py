"""Booking, moving and cancelling mediation sessions, with no double booking.

On PostgreSQL, exclusion constraints (migration 2026-11-29T14:35:40) refuse a second live session for
the same mediator, room or person at an overlapping time, even when two coordinators book at the same
moment. On SQLite the write lock of an immediate transaction serialises bookings, and the overlap check
inside it is what refuses the loser. Either way the loser gets a Invalid with conflict=True.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from mediation import timekeeping
from mediation.accounts.tables import Account
from mediation.advice.service import save_record
from mediation.advice.tables import MediationRecord
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.errors import Conflict, Invalid
from mediation.identity import CurrentUser
from mediation.scheduling.service import SessionPlan, busy_times, needs_of, plan_problems, slot_rules
from mediation.scheduling.slots import LONDON, check_slot
from mediation.scheduling.tables import MediationSession, SessionAttendee, SessionStatus
from mediation.services.tables import MediatorProfile
from mediation.sessions.errors import SlotTaken
from mediation.sessions.invites import is_guest, send_notices, when

CONFLICT = (
    "Someone else has just booked this time for the mediator, the room or an attendee. Choose another time."
)


def _overlap_violation(exc: BaseException) -> bool:
    """PostgreSQL exclusion_violation (SQLSTATE 23P01), however the driver wraps it."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) == "23P01":
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


async def check_times(
    case: Disagreement,
    plan: SessionPlan,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude: int | None = None,
) -> list[str]:
    """Every time rule for this exact slot, as the slot finder applies them."""
    rules = await slot_rules(case, plan, since=starts_at, until=ends_at, exclude=exclude)
    return check_slot(rules, starts_at, ends_at)


async def _clashes(
    case: Disagreement, plan: SessionPlan, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None
) -> bool:
    return bool(await busy_times(case, plan, starts_at, ends_at, exclude=exclude))


async def _attendees(case: Disagreement, plan: SessionPlan) -> list[dict[str, Any]]:
    ids = [i for i in (case.family_id, plan.la_officer_id, plan.icb_officer_id) if i]
    accounts = {
        a["id"]: a
        for a in await Account.select(Account.id, Account.full_name, Account.email).where(
            Account.id.is_in(ids)
        )
    }
    mediator = (
        await MediatorProfile.select(
            MediatorProfile.account,
            MediatorProfile.account.full_name.as_alias("name"),
            MediatorProfile.account.email.as_alias("email"),
        )
        .where(MediatorProfile.id == plan.mediator_id)
        .first()
    )
    assert mediator is not None, "the plan's mediator was checked when the plan was made"
    family = accounts[case.family_id]
    family_email = case.written_email
    people = [
        {"role": "family", "name": family["full_name"], "email": family_email or "", "account": family["id"]}
    ]
    for role, officer in (("la_officer", plan.la_officer_id), ("icb_officer", plan.icb_officer_id)):
        if officer:
            a = accounts[officer]
            people.append(
                {
                    "role": role,
                    "name": a["full_name"],
                    "email": a["email"],
                    "account": a["id"],
                    "authority_to_agree": plan.authority_confirmed,
                }
            )
    people.append(
        {
            "role": "mediator",
            "name": mediator["name"],
            "email": mediator["email"],
            "account": mediator["account"],
        }
    )
    if plan.interpreter.strip():
        people.append({"role": "interpreter", "name": plan.interpreter.strip(), "email": "", "account": None})
    return people


def _la_attending(people: Sequence[dict[str, Any]]) -> tuple[str, bool | None]:
    """Who attends for the local authority and whether they can agree a settlement, as booked."""
    for person in people:
        if person["role"] == "la_officer":
            return person["name"], bool(person.get("authority_to_agree"))
    return "", None


async def book(
    case: Disagreement,
    plan: SessionPlan,
    *,
    actor: CurrentUser,
    offered: bool = False,
    guests: Sequence[dict[str, Any]] = (),
    then: Callable[[Change, int], Awaitable[None]] | None = None,
) -> int:
    """`session_booked` (or `offer_accepted`, when the family picks an offered time): book one meeting after
    re-checking every rule; SlotTaken if someone has just taken the time. Returns the session id.

    `guests` attend without an account (role, name, email, authority_to_agree); `then` runs in the same
    transaction once the session exists (an offer is marked taken there, a poll closes itself there)."""
    event = "offer_accepted" if offered else "session_booked"
    events.check(case, event, actor=actor, on=timekeeping.today(), on_field="slot")
    if plan.starts_at is None or plan.ends_at is None:
        raise Invalid({"slot": "Choose a time for the session"})
    starts_at, ends_at = plan.starts_at.astimezone(dt.UTC), plan.ends_at.astimezone(dt.UTC)
    errors = await plan_problems(case, plan)
    if errors:
        raise Invalid(errors)
    if ends_at - starts_at != dt.timedelta(minutes=plan.duration_minutes):
        raise Invalid({"slot": "The chosen time does not match the session's length"})
    await _refuse_problems(case, plan, starts_at, ends_at)
    booked: dict[str, int] = {}

    async def writes(change: Change) -> None:
        fresh = change.case
        # SQLite: the immediate transaction holds the write lock, so this check cannot interleave with
        # another booking. PostgreSQL: the exclusion constraints decide; this gives the message early.
        if await _clashes(fresh, plan, starts_at, ends_at, None):
            raise SlotTaken({"slot": CONFLICT})
        now = timekeeping.now()
        people = [*await _attendees(fresh, plan), *({**g, "account": None} for g in guests)]
        la_officer, can_agree = _la_attending(people)
        session = MediationSession(
            disagreement=fresh.id,
            mediator=plan.mediator_id,
            venue=plan.venue_id,
            remote=plan.remote,
            starts_at=starts_at,
            ends_at=ends_at,
            status=SessionStatus.booked.value,
            interpreter=plan.interpreter.strip(),
            shorter_notice_consent=plan.shorter_notice_consent,
            uid=f"session-{secrets.token_hex(8)}@send-mediation",
            sequence=0,
            booked_by=actor.id,
            created_at=now,
            updated_at=now,
            la_attending_officer=la_officer,
            la_officer_can_agree=can_agree,
        )
        await session.save()
        booked["id"] = int(session.id)
        await SessionAttendee.insert(
            *[
                SessionAttendee(
                    session=session.id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=SessionStatus.booked.value,
                    **person,
                )
                for person in people
            ]
        )
        await save_record(fresh.id, {MediationRecord.mediator: plan.mediator_id})
        if then is not None:
            await then(change, int(session.id))
        # The case's open polls close too: the writes polls/service.py registers for the booking events.
        await send_notices(fresh, int(session.id), "booked")

    await _guarded(
        events.record(
            case,
            event,
            actor=actor,
            on=timekeeping.today(),
            summary=f"Mediation meeting arranged: {when(starts_at, ends_at)}",
            data={
                "meeting_day": starts_at.astimezone(LONDON).date(),
                "shorter_notice_consent": plan.shorter_notice_consent,
            },
            writes=writes,
            on_field="slot",
        )
    )
    return booked["id"]


async def _guarded(change):  # untyped: callers pass several kinds
    """Run a booking change; PostgreSQL's exclusion constraint refusing an overlap is a SlotTaken."""
    try:
        return await change
    except Conflict:
        raise
    except Exception as exc:
        if _overlap_violation(exc):
            raise SlotTaken({"slot": CONFLICT}) from exc
        raise


async def _refuse_problems(
    case: Disagreement,
    plan: SessionPlan,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude: int | None = None,
) -> None:
    problems = await check_times(case, plan, starts_at, ends_at, exclude=exclude)
    if problems:
        booked = [p for p in problems if "already booked" in p]
        if booked and len(booked) == len(problems):
            raise SlotTaken({"slot": _sentence(problems)})
        raise Invalid({"slot": _sentence(problems)})


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:]


async def session_of(case: Disagreement, session_id: int) -> dict[str, Any] | None:
    return (
        await MediationSession.select()
        .where((MediationSession.id == session_id) & (MediationSession.disagreement == case.id))
        .first()
    )


async def plan_of(case: Disagreement, session: dict[str, Any]) -> SessionPlan:
    everyone = await SessionAttendee.select(
        SessionAttendee.role, SessionAttendee.account, SessionAttendee.authority_to_agree
    ).where(SessionAttendee.session == session["id"])
    # Officers named without an account are not part of the plan (they have no diary to check).
    attendees = [a for a in everyone if not is_guest(a)]
    by_role = {a["role"]: a for a in attendees}
    minutes = int((session["ends_at"] - session["starts_at"]).total_seconds() // 60)
    return SessionPlan(
        mediator_id=session["mediator"],
        venue_id=session["venue"],
        remote=session["remote"],
        duration_minutes=minutes,
        la_officer_id=by_role.get("la_officer", {}).get("account"),
        icb_officer_id=by_role.get("icb_officer", {}).get("account"),
        authority_confirmed=any(a["authority_to_agree"] for a in attendees),
        interpreter=session["interpreter"],
        shorter_notice_consent=session["shorter_notice_consent"],
    )


async def reschedule(
    case: Disagreement,
    session_id: int,
    starts_at: dt.datetime | None,
    reason: str,
    *,
    consent: bool,
    actor: CurrentUser,
) -> None:
    """`session_moved`: move a booked meeting (same invite UID, SEQUENCE + 1), re-checking every rule."""
    events.check(case, "session_moved", actor=actor, on=timekeeping.today(), on_field="slot")
    session = await session_of(case, session_id)
    if session is None or session["status"] != SessionStatus.booked.value:
        raise Invalid({"slot": "Only a booked session can be moved"})
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why the session is being moved"
    if starts_at is None:
        errors["slot"] = "Choose the new time"
    if errors:
        raise Invalid(errors)
    assert starts_at is not None
    plan = await plan_of(case, session)
    plan.shorter_notice_consent = consent
    errors = await plan_problems(case, plan)  # the mediator, room and officers must still be acceptable
    if errors:
        raise Invalid(errors)
    ends_at = starts_at + dt.timedelta(minutes=plan.duration_minutes)
    await _refuse_problems(case, plan, starts_at, ends_at, exclude=session_id)

    async def writes(change: Change) -> None:
        if await _clashes(change.case, plan, starts_at, ends_at, session_id):
            raise SlotTaken({"slot": CONFLICT})
        moved = (
            await MediationSession.update(
                {
                    MediationSession.starts_at: starts_at,
                    MediationSession.ends_at: ends_at,
                    MediationSession.sequence: session["sequence"] + 1,
                    MediationSession.change_reason: reason.strip(),
                    MediationSession.shorter_notice_consent: consent,
                    MediationSession.updated_at: timekeeping.now(),
                }
            )
            .where((MediationSession.id == session_id) & (MediationSession.sequence == session["sequence"]))
            .returning(MediationSession.id)
        )
        if not moved:
            raise SlotTaken({"slot": "The session changed while you were working on it; try again"})
        await SessionAttendee.update(
            {SessionAttendee.starts_at: starts_at, SessionAttendee.ends_at: ends_at}
        ).where(SessionAttendee.session == session_id)
        await send_notices(change.case, session_id, "rescheduled", reason.strip())

    await _guarded(
        events.record(
            case,
            "session_moved",
            actor=actor,
            on=timekeeping.today(),
            summary=f"Mediation meeting moved to {when(starts_at, ends_at)}: {reason.strip()}",
            data={
                "meeting_day": starts_at.astimezone(LONDON).date(),
                "shorter_notice_consent": consent,
                "session": session_id,
            },
            writes=writes,
            on_field="slot",
        )
    )


async def _cancel_session(session: dict[str, Any], reason: str) -> None:
    await MediationSession.update(
        {
            MediationSession.status: SessionStatus.cancelled.value,
            MediationSession.sequence: session["sequence"] + 1,
            MediationSession.change_reason: reason,
            MediationSession.updated_at: timekeeping.now(),
        }
    ).where(MediationSession.id == session["id"])
    await SessionAttendee.update({SessionAttendee.status: SessionStatus.cancelled.value}).where(
        SessionAttendee.session == session["id"]
    )


async def cancel(case: Disagreement, session_id: int, reason: str, *, actor: CurrentUser) -> None:
    """`session_cancelled`: cancel a booked meeting with a reason; attendees get a cancelling invite
    (METHOD:CANCEL). Cancelling the only one takes the case back to 'mediation requested'."""
    events.check(case, "session_cancelled", actor=actor, on=timekeeping.today(), on_field="slot")
    session = await session_of(case, session_id)
    if session is None or session["status"] != SessionStatus.booked.value:
        raise Invalid({"slot": "Only a booked session can be cancelled"})
    if not reason.strip():
        raise Invalid({"cancel_reason": "Enter why the session is being cancelled"})

    async def writes(change: Change) -> None:
        await _cancel_session(session, reason.strip())
        await send_notices(change.case, session_id, "cancelled", reason.strip())

    await events.record(
        case,
        "session_cancelled",
        actor=actor,
        on=timekeeping.today(),
        summary=f"Mediation meeting on {when(session['starts_at'], session['ends_at'])} cancelled: "
        f"{reason.strip()}",
        data={"session": session_id},
        writes=writes,
        on_field="slot",
    )


async def cancel_live_sessions(case: Disagreement, reason: str) -> None:
    """Inside another event (the case withdrawn): every booked meeting is cancelled and attendees told."""
    sessions = await MediationSession.select().where(
        (MediationSession.disagreement == case.id) & (MediationSession.status == SessionStatus.booked.value)
    )
    for session in sessions:
        await _cancel_session(session, reason)
        await send_notices(case, int(session["id"]), "cancelled", reason)


async def _cancel_on_withdraw(change: Change) -> None:
    await cancel_live_sessions(change.case, f"the disagreement was withdrawn: {change.data['reason']}")


# A withdrawn case's booked meetings are cancelled in the withdrawal's transaction (cases/events.py).
events.add_writes("withdrawn", "sessions", _cancel_on_withdraw)


def needs_summary(case: Disagreement) -> list[str]:
    needs = needs_of(case)
    out = []
    if needs.interpreter:
        out.append(f"Interpreter: {needs.interpreter}")
    if needs.step_free:
        out.append("Step-free room")
    if needs.remote:
        out.append("Remote session")
    if needs.breaks:
        out.append("Regular breaks, with a quiet room to take them in")
    return out


async def attendees_of(session_id: int) -> list[dict[str, Any]]:
    return await SessionAttendee.select().where(SessionAttendee.session == session_id)


async def session_times(session_id: int) -> tuple[dt.datetime, dt.datetime]:
    row = (
        await MediationSession.select(MediationSession.starts_at, MediationSession.ends_at)
        .where(MediationSession.id == session_id)
        .first()
    )
    assert row is not None  # just booked in this request
    return row["starts_at"], row["ends_at"]
