"""Booking, moving and cancelling mediation sessions, with no double booking.

On PostgreSQL, exclusion constraints (migration 2026-11-29T14:35:40) refuse a second live session for
the same mediator, room or person at an overlapping time, even when two coordinators book at the same
moment. On SQLite the write lock of an immediate transaction serialises bookings, and the overlap check
inside it is what refuses the loser. Either way the loser gets a MediationError with conflict=True.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from mediation.accounts.tables import Account
from mediation.audit import service as audit
from mediation.clocks.service import start_clock, stop_clock
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.mediation.common import MediationError, arranging_calendar, move, save_record
from mediation.mediation.invites import send_notices, when
from mediation.mediation.scheduling import SessionPlan, busy_times, needs_of, plan_problems, slot_rules
from mediation.mediation.slots import LONDON, check_slot
from mediation.mediation.tables import (
    MediationRecord,
    MediationSession,
    MediatorProfile,
    SessionAttendee,
    SessionOffer,
    SessionStatus,
)

BOOKABLE_STATES = {"mediation_requested", "session_arranged"}
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
    case: dict[str, Any],
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
    case: dict[str, Any], plan: SessionPlan, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None
) -> bool:
    return bool(await busy_times(case, plan, starts_at, ends_at, exclude=exclude))


async def _attendees(case: dict[str, Any], plan: SessionPlan) -> list[dict[str, Any]]:
    ids = [i for i in (case["family"], plan.la_officer_id, plan.icb_officer_id) if i]
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
    family = accounts[case["family"]]
    family_email = case["contact_email"] if case["contact_by"] == "email" else ""
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


async def _notice_clock(case: dict[str, Any], starts_at: dt.datetime, actor: CurrentUser) -> None:
    """mediation_notice: the notice of date and place goes out now, and the record says whether in time."""
    day = starts_at.astimezone(LONDON).date()
    today = dt.date.today()
    due = await start_clock(
        case["id"],
        "mediation_notice",
        {"mediation_date": day},
        started_by="session booked",
        decision_date=case["decision_notice_sent"],
        calendar=await arranging_calendar(case),
        actor=actor,
    )
    late = due is not None and today > due
    reason = "notice of the date and place sent" + (
        ", with the family's consent to shorter notice" if late else ""
    )
    await stop_clock(case["id"], "mediation_notice", on=today, reason=reason, actor=actor)


async def book(
    case: dict[str, Any], plan: SessionPlan, *, actor: CurrentUser, offer_id: int | None = None
) -> int:
    """Book one session after re-checking every rule; MediationError(conflict=True) if the time was taken."""
    if plan.starts_at is None or plan.ends_at is None:
        raise MediationError({"slot": "Choose a time for the session"})
    starts_at, ends_at = plan.starts_at.astimezone(dt.UTC), plan.ends_at.astimezone(dt.UTC)
    if case["state"] not in BOOKABLE_STATES:
        raise MediationError({"state": "A session can be booked only after the family asks for mediation"})
    errors = await plan_problems(case, plan)
    if errors:
        raise MediationError(errors)
    if ends_at - starts_at != dt.timedelta(minutes=plan.duration_minutes):
        raise MediationError({"slot": "The chosen time does not match the session's length"})
    problems = await check_times(case, plan, starts_at, ends_at)
    if problems:
        booked = [p for p in problems if "already booked" in p]
        raise MediationError(
            {"slot": _sentence(problems)}, conflict=bool(booked) and len(booked) == len(problems)
        )
    now = dt.datetime.now(dt.UTC)
    try:
        async with transaction():
            # SQLite: the immediate transaction holds the write lock, so this check cannot interleave with
            # another booking. PostgreSQL: the exclusion constraints decide; this gives the message early.
            if await _clashes(case, plan, starts_at, ends_at, None):
                raise MediationError({"slot": CONFLICT}, conflict=True)
            session = MediationSession(
                disagreement=case["id"],
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
            )
            await session.save()
            await SessionAttendee.insert(
                *[
                    SessionAttendee(
                        session=session.id,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        status=SessionStatus.booked.value,
                        **person,
                    )
                    for person in await _attendees(case, plan)
                ]
            )
            if case["state"] == "mediation_requested":
                await move(
                    case, "arrange_session", actor, f"Mediation meeting arranged: {when(starts_at, ends_at)}"
                )
            else:
                await audit.record(
                    actor=actor,
                    action="book_session",
                    entity="mediation_session",
                    entity_id=session.id,
                    disagreement_id=case["id"],
                    summary=f"Another mediation meeting arranged: {when(starts_at, ends_at)}",
                )
            await save_record(case["id"], {MediationRecord.mediator: plan.mediator_id})
            await _notice_clock(case, starts_at, actor)
            if offer_id is not None:
                taken = (
                    await SessionOffer.update(
                        {SessionOffer.status: "taken", SessionOffer.session: session.id}
                    )
                    .where((SessionOffer.id == offer_id) & (SessionOffer.status == "open"))
                    .returning(SessionOffer.id)
                )
                if not taken:
                    raise MediationError({"slot": "This offer has already been used"}, conflict=True)
            await send_notices(case, int(session.id), "booked")
    except MediationError:
        raise
    except Exception as exc:
        if _overlap_violation(exc):
            raise MediationError({"slot": CONFLICT}, conflict=True) from exc
        raise
    return int(session.id)


def _sentence(problems: list[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:]


async def session_of(case: dict[str, Any], session_id: int) -> dict[str, Any] | None:
    return (
        await MediationSession.select()
        .where((MediationSession.id == session_id) & (MediationSession.disagreement == case["id"]))
        .first()
    )


async def plan_of(case: dict[str, Any], session: dict[str, Any]) -> SessionPlan:
    attendees = await SessionAttendee.select(
        SessionAttendee.role, SessionAttendee.account, SessionAttendee.authority_to_agree
    ).where(SessionAttendee.session == session["id"])
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
    case: dict[str, Any],
    session_id: int,
    starts_at: dt.datetime | None,
    reason: str,
    *,
    consent: bool,
    actor: CurrentUser,
) -> None:
    """Move a booked session (same invite UID, SEQUENCE + 1), re-checking every rule."""
    session = await session_of(case, session_id)
    if session is None or session["status"] != SessionStatus.booked.value:
        raise MediationError({"slot": "Only a booked session can be moved"})
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why the session is being moved"
    if starts_at is None:
        errors["slot"] = "Choose the new time"
    if errors:
        raise MediationError(errors)
    assert starts_at is not None
    plan = await plan_of(case, session)
    plan.shorter_notice_consent = consent
    errors = await plan_problems(case, plan)  # the mediator, room and officers must still be acceptable
    if errors:
        raise MediationError(errors)
    ends_at = starts_at + dt.timedelta(minutes=plan.duration_minutes)
    problems = await check_times(case, plan, starts_at, ends_at, exclude=session_id)
    if problems:
        booked = [p for p in problems if "already booked" in p]
        raise MediationError(
            {"slot": _sentence(problems)}, conflict=bool(booked) and len(booked) == len(problems)
        )
    try:
        async with transaction():
            if await _clashes(case, plan, starts_at, ends_at, session_id):
                raise MediationError({"slot": CONFLICT}, conflict=True)
            moved = (
                await MediationSession.update(
                    {
                        MediationSession.starts_at: starts_at,
                        MediationSession.ends_at: ends_at,
                        MediationSession.sequence: session["sequence"] + 1,
                        MediationSession.change_reason: reason.strip(),
                        MediationSession.shorter_notice_consent: consent,
                        MediationSession.updated_at: dt.datetime.now(dt.UTC),
                    }
                )
                .where(
                    (MediationSession.id == session_id) & (MediationSession.sequence == session["sequence"])
                )
                .returning(MediationSession.id)
            )
            if not moved:
                raise MediationError(
                    {"slot": "The session changed while you were working on it; try again"}, conflict=True
                )
            await SessionAttendee.update(
                {SessionAttendee.starts_at: starts_at, SessionAttendee.ends_at: ends_at}
            ).where(SessionAttendee.session == session_id)
            await audit.record(
                actor=actor,
                action="reschedule_session",
                entity="mediation_session",
                entity_id=session_id,
                disagreement_id=case["id"],
                summary=f"Mediation meeting moved to {when(starts_at, ends_at)}: {reason.strip()}",
                before={"starts_at": session["starts_at"]},
                after={"starts_at": starts_at},
            )
            await _notice_clock(case, starts_at, actor)
            await send_notices(case, session_id, "rescheduled", reason.strip())
    except MediationError:
        raise
    except Exception as exc:
        if _overlap_violation(exc):
            raise MediationError({"slot": CONFLICT}, conflict=True) from exc
        raise


async def cancel(case: dict[str, Any], session_id: int, reason: str, *, actor: CurrentUser) -> None:
    """Cancel a booked session with a reason; attendees get a cancelling invite (METHOD:CANCEL)."""
    session = await session_of(case, session_id)
    if session is None or session["status"] != SessionStatus.booked.value:
        raise MediationError({"slot": "Only a booked session can be cancelled"})
    if not reason.strip():
        raise MediationError({"cancel_reason": "Enter why the session is being cancelled"})
    async with transaction():
        await MediationSession.update(
            {
                MediationSession.status: SessionStatus.cancelled.value,
                MediationSession.sequence: session["sequence"] + 1,
                MediationSession.change_reason: reason.strip(),
                MediationSession.updated_at: dt.datetime.now(dt.UTC),
            }
        ).where(MediationSession.id == session_id)
        await SessionAttendee.update({SessionAttendee.status: SessionStatus.cancelled.value}).where(
            SessionAttendee.session == session_id
        )
        await audit.record(
            actor=actor,
            action="cancel_session",
            entity="mediation_session",
            entity_id=session_id,
            disagreement_id=case["id"],
            summary=f"Mediation meeting on {when(session['starts_at'], session['ends_at'])} "
            f"cancelled: {reason.strip()}",
        )
        await send_notices(case, session_id, "cancelled", reason.strip())


def needs_summary(case: dict[str, Any]) -> list[str]:
    needs = needs_of(case)
    out = []
    if needs.interpreter:
        out.append(f"Interpreter: {needs.interpreter}")
    if needs.step_free:
        out.append("Step-free room")
    if needs.remote:
        out.append("Remote session")
    return out
