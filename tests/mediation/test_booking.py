"""Booking sessions: every rule re-checked, notice and invite sent, no double booking under concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
import email

import pytest
from icalendar import Calendar

from mediation import timekeeping
from mediation.advice.service import record_advice
from mediation.db import is_postgres
from mediation.errors import Invalid
from mediation.notify.email import SmtpConfig, build_message
from mediation.notify.tables import Notification
from mediation.scheduling.service import SessionPlan, search
from mediation.scheduling.slots import LONDON
from mediation.scheduling.tables import MediationSession, SessionAttendee
from mediation.sessions.errors import SlotTaken
from mediation.sessions.service import book, cancel, reschedule
from tests.mediation.helpers import World, make_world, person

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def requested(**kwargs) -> World:
    w = await make_world(**kwargs)
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.mediator)
    return w


def plan_for(w: World, **overrides) -> SessionPlan:
    values = {
        "mediator_id": w.profile_id,
        "venue_id": w.venue_id,
        "la_officer_id": w.la.id,
        "authority_confirmed": True,
    }
    values.update(overrides)
    return SessionPlan(**values)


async def first_slot(w: World, plan: SessionPlan) -> tuple[dt.datetime, dt.datetime]:
    found = await search(await w.case(), plan)
    assert found.errors == {} and found.slots, (found.errors, found.reasons)
    return found.slots[0]


async def booked(w: World, **overrides) -> int:
    plan = plan_for(w, **overrides)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    return await book(await w.case(), plan, actor=w.la)


async def invites_for(session_id: int) -> list[Calendar]:
    rows = await Notification.select().where(
        Notification.dedupe_key.like(f"mediation-session:{session_id}:%")
    )
    calendars = []
    for row in rows:
        message = await build_message(row, SmtpConfig(), dt.datetime.now(dt.UTC))
        parsed = email.message_from_bytes(message.as_bytes())
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                calendars.append(Calendar.from_ical(part.get_payload(decode=True)))
    return calendars


async def test_booking_arranges_the_session_and_sends_every_attendee_an_invite_that_parses(app):
    w = await requested()
    session_id = await booked(w)
    assert (await w.case()).state == "session_arranged"
    attendees = await SessionAttendee.select().where(SessionAttendee.session == session_id)
    assert {a["role"] for a in attendees} == {"family", "la_officer", "mediator"}
    calendars = await invites_for(session_id)
    assert len(calendars) == 3
    session = await MediationSession.select().where(MediationSession.id == session_id).first()
    for calendar in calendars:
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == session["uid"] and int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == session["starts_at"]
        assert "Kit" not in str(event["SUMMARY"]) and w.reference in str(event["SUMMARY"])
    clocks = await w.clocks()
    assert clocks["mediation_notice"]["status"] == "met"


async def test_rescheduling_keeps_the_uid_raises_the_sequence_and_needs_a_reason(app):
    w = await requested()
    session_id = await booked(w)
    before = await MediationSession.select().where(MediationSession.id == session_id).first()
    with pytest.raises(Invalid) as refused:
        await reschedule(
            await w.case(),
            session_id,
            before["starts_at"] + dt.timedelta(days=1),
            "",
            consent=False,
            actor=w.la,
        )
    assert refused.value.errors["reason"] == "Enter why the session is being moved"
    found = await search(await w.case(), plan_for(w))
    later = next(
        s
        for s, _ in found.slots
        if s.astimezone(LONDON).date() > before["starts_at"].astimezone(LONDON).date()
    )
    await reschedule(await w.case(), session_id, later, "Mediator unwell", consent=False, actor=w.la)
    after = await MediationSession.select().where(MediationSession.id == session_id).first()
    assert after["uid"] == before["uid"] and after["sequence"] == 1 and after["starts_at"] == later
    sequences = {int(c.walk("VEVENT")[0]["SEQUENCE"]) for c in await invites_for(session_id)}
    assert sequences == {0, 1}


async def test_rescheduling_onto_a_weekend_is_refused_with_the_reason(app):
    w = await requested()
    session_id = await booked(w)
    day = TODAY + dt.timedelta(days=14)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    at = dt.datetime.combine(saturday, dt.time(10), tzinfo=LONDON)
    with pytest.raises(Invalid) as refused:
        await reschedule(await w.case(), session_id, at, "Family asked", consent=False, actor=w.la)
    assert "is not a working day (Saturday)" in refused.value.errors["slot"]


async def test_cancelling_needs_a_reason_and_sends_a_cancelling_invite(app):
    w = await requested()
    session_id = await booked(w)
    with pytest.raises(Invalid):
        await cancel(await w.case(), session_id, " ", actor=w.la)
    await cancel(await w.case(), session_id, "Family unwell", actor=w.la)
    methods = {str(c["METHOD"]) for c in await invites_for(session_id)}
    assert methods == {"REQUEST", "CANCEL"}
    # The time is free again.
    again = await booked(w)
    assert again != session_id


async def test_a_booking_refuses_a_room_without_step_free_access_when_the_family_needs_it(app):
    w = await requested(accessibility={"step_free": "yes"})
    from mediation.services.tables import Venue

    await Venue.update({Venue.step_free: False}).where(Venue.id == w.venue_id)
    found = await search(await w.case(), plan_for(w))
    assert "needs step-free access" in found.errors["venue"]


async def test_an_interpreter_must_be_booked_and_remote_chosen_when_the_family_needs_them(app):
    w = await requested(accessibility={"interpreter": "Polish", "remote": "yes"})
    found = await search(await w.case(), plan_for(w))
    assert found.errors == {
        "venue": "The family needs to attend remotely: select Remote",
        "interpreter": "Book an interpreter (Polish) and enter their name or agency",
    }
    session_id = await booked(w, venue_id=None, remote=True, interpreter="Anna Nowak (Polish)")
    roles = {a["role"] for a in await SessionAttendee.select().where(SessionAttendee.session == session_id)}
    assert "interpreter" in roles


async def test_health_in_scope_brings_the_icb_officer_in_as_a_required_attendee(app):
    w = await requested(sections=("B", "G"))
    found = await search(await w.case(), plan_for(w))
    assert found.errors["icb_officer"] == "Select the health commissioner's officer who will attend"
    session_id = await booked(w, icb_officer_id=w.icb.id)
    roles = {a["role"] for a in await SessionAttendee.select().where(SessionAttendee.session == session_id)}
    assert roles == {"family", "la_officer", "icb_officer", "mediator"}


async def test_no_slot_before_the_limit_says_what_follows(app):
    w = await requested(hours=())
    found = await search(await w.case(), plan_for(w))
    assert found.slots == []
    assert "record that mediation cannot be arranged within 30 days" in found.consequence
    assert "certificate" in found.consequence


async def _racers(count: int) -> tuple[list[dict], list[SessionPlan]]:
    """`count` cases, each with its own family and officer, all wanting the same mediator at the same time."""
    w = await requested()
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    cases, plans = [await w.case()], [plan]
    for _ in range(count - 1):
        other = await requested()
        from mediation.advice.service import assign_service

        await assign_service(await other.case(), w.service_id, actor=other.la)
        cases.append(await other.case())
        plans.append(
            SessionPlan(
                **{**{f: getattr(plan, f) for f in plan.__struct_fields__}, "la_officer_id": other.la.id}
            )
        )
    return cases, plans


async def _race(count: int) -> list[object]:
    cases, plans = await _racers(count)
    coordinator = await person("la_coordinator", cases[0].local_authority_id, "Racer")
    results = await asyncio.gather(
        *[book(c, p, actor=coordinator) for c, p in zip(cases, plans, strict=True)], return_exceptions=True
    )
    mediator = plans[0].mediator_id
    live = await MediationSession.count().where(
        (MediationSession.mediator == mediator) & (MediationSession.status != "cancelled")
    )
    assert live == 1, results
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, SlotTaken)]
    assert len(winners) == 1 and len(losers) == count - 1, results
    # Losers are told the time was taken: by the check before, the check inside, or the database itself.
    assert all("just booked" in str(loser) or "already booked" in str(loser) for loser in losers), losers
    return results


@pytest.mark.skipif(
    not is_postgres(),
    reason="20 truly concurrent connections need PostgreSQL; SQLite "
    "serialises writers (see the 2-booking SQLite test)",
)
async def test_twenty_concurrent_bookings_of_one_slot_end_with_exactly_one_booked_on_postgres(app):
    await _race(20)


async def test_two_concurrent_bookings_of_one_slot_end_with_exactly_one_booked(app):
    await _race(2)


@pytest.mark.skipif(not is_postgres(), reason="exclusion constraints exist only on PostgreSQL")
async def test_the_database_itself_refuses_an_overlapping_session_for_the_same_mediator(app):
    w = await requested()
    session_id = await booked(w)
    row = await MediationSession.select().where(MediationSession.id == session_id).first()
    with pytest.raises(Exception) as refused:  # noqa: B017 - the driver's own exception type
        await MediationSession.raw(
            "INSERT INTO mediation_session (disagreement, mediator, venue, remote, starts_at, ends_at, "
            "status, "
            "interpreter, shorter_notice_consent, uid, sequence, change_reason, created_at, updated_at) "
            "VALUES ({}, {}, NULL, true, {}, {}, 'booked', '', false, 'raw-test', 0, '', now(), now())",
            row["disagreement"],
            row["mediator"],
            row["starts_at"] + dt.timedelta(hours=1),
            row["ends_at"] + dt.timedelta(hours=1),
        )
    assert getattr(refused.value, "sqlstate", None) == "23P01"
