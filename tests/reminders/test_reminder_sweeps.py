"""The sweeps, day by day against the database: who is reminded, when, and what the message says."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.audit.tables import AuditEvent
from mediation.cases.service import get_case
from mediation.clocks.tables import StatutoryClock
from mediation.identity import CurrentUser
from mediation.reminders.service import run_sweeps, sweep_clocks, sweep_day
from tests.reminders.conftest import deliver_all, outbox, remove_outbox
from tests.reminders.helpers import add_clock, make_case, make_place

pytestmark = pytest.mark.anyio

D = dt.date


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


async def _sweep_daily(place, start: dt.date, end: dt.date) -> dict[dt.date, list[str]]:
    """Sweep each day in turn; the dedupe keys first queued on each day."""
    seen: set[str] = set()
    firsts: dict[dt.date, list[str]] = {}
    for day in _days(start, end):
        await sweep_clocks(day, local_authorities=[place.la])
        keys = [n["dedupe_key"] for n in await outbox(place)]
        new = sorted(k for k in keys if k not in seen)
        seen.update(keys)
        if new:
            firsts[day] = new
    return firsts


async def test_an_la_clock_is_reminded_and_escalated_on_the_right_working_days_around_easter(place):
    case_id, reference = await make_case(place)
    clock = await add_clock(case_id, "mediation_held_by_la", due=D(2027, 3, 30), started_on=D(2027, 2, 28))
    firsts = await _sweep_daily(place, D(2027, 3, 15), D(2027, 4, 6))
    kinds = {
        day: sorted({k.split(":")[3] if k.startswith("reminder") else "breach" for k in keys})
        for day, keys in firsts.items()
    }
    assert kinds == {
        D(2027, 3, 19): ["5wd"],  # Fri, counting back over Easter Monday and Good Friday
        D(2027, 3, 24): ["2wd"],  # Wed
        D(2027, 3, 30): ["due"],  # Tue after Easter
        D(2027, 3, 31): ["breach"],  # the next working day, once
    }
    # Each reminder to the SEND team contact and both coordinators; the escalation to the SEND manager.
    queued = await outbox(place)
    to = {}
    for n in queued:
        to.setdefault(
            n["dedupe_key"].split(":")[3] if n["dedupe_key"].startswith("reminder") else "breach", set()
        ).add(n["recipient_email"])
    team = {place.email("send.team"), *place.coordinators}
    assert to == {"5wd": team, "2wd": team, "due": team, "breach": {place.email("send.manager")}}
    assert all(f":{clock}:v1:" in n["dedupe_key"] or n["dedupe_key"] == f"breach:{clock}:v1" for n in queued)
    # One note on the case timeline, however many sweeps ran after the breach.
    notes = await AuditEvent.select().where(
        (AuditEvent.disagreement_id == case_id) & (AuditEvent.action == "breach")
    )
    assert len(notes) == 1
    assert "Tuesday 30 March 2027" in notes[0]["summary"] and "SEND manager" in notes[0]["summary"]
    # The family reads it on the case's timeline.
    family = CurrentUser(place.family, place.family_email, "Pat Parent", "family", None, None)
    case = await get_case(family, reference)
    assert case is not None
    assert [e.summary for e in case.timeline if e.action == "breach"] == [notes[0]["summary"]]


async def test_reminders_and_escalations_skip_christmas(place):
    case_id, _ = await make_case(place)
    await add_clock(case_id, "order_amend_plan", due=D(2026, 12, 24), started_on=D(2026, 11, 19))
    firsts = await _sweep_daily(place, D(2026, 12, 14), D(2026, 12, 31))
    assert {
        day: sorted({k.split(":")[0] if k.startswith("breach") else k.split(":")[3] for k in keys})
        for day, keys in firsts.items()
    } == {
        D(2026, 12, 17): ["5wd"],
        D(2026, 12, 22): ["2wd"],
        D(2026, 12, 24): ["due"],
        D(2026, 12, 29): ["breach"],  # not on Christmas Day, the weekend or Boxing Day (observed)
    }


async def test_each_party_hears_about_its_own_clocks(place):
    family_case, _ = await make_case(
        place, contact_by="post", postal_address="1 Test Road\nTestshire\nTE1 1ST"
    )
    icb_case, _ = await make_case(place, icb=True, service=True)
    no_service_case, _ = await make_case(place)
    due, started = D(2027, 2, 12), D(2027, 1, 4)
    await add_clock(family_case, "appeal", due=due, started_on=started, actor="family")
    await add_clock(
        icb_case, "mediation_held_by_icb", due=due, started_on=started, actor="health_commissioner"
    )
    await add_clock(icb_case, "certificate_after_mediation", due=due, started_on=started, actor="mediator")
    await add_clock(
        no_service_case, "certificate_after_decline", due=due, started_on=started, actor="mediation_adviser"
    )
    await sweep_clocks(D(2027, 2, 10), local_authorities=[place.la])
    by_case: dict[int, set[str]] = {}
    for n in await outbox(place):
        by_case.setdefault(n["disagreement_id"], set()).add(
            n["recipient_email"] or f"letter:{n['postal_address']}"
        )
    assert by_case[family_case] == {"letter:1 Test Road\nTestshire\nTE1 1ST"}  # the family asked for post
    assert by_case[icb_case] == {place.email("dco"), place.icb_officer, place.mediator}
    assert by_case[no_service_case] == {place.email("adviser")}  # no service yet: the LA's adviser contact


async def test_a_familys_lapsed_time_limit_is_not_escalated_but_an_icb_breach_goes_to_its_officer(place):
    case_id, _ = await make_case(place, icb=True)
    await add_clock(case_id, "appeal", due=D(2027, 2, 12), started_on=D(2027, 1, 4), actor="family")
    await add_clock(
        case_id,
        "mediation_held_by_icb",
        due=D(2027, 2, 12),
        started_on=D(2027, 1, 4),
        actor="health_commissioner",
    )
    report = await sweep_clocks(D(2027, 2, 16), local_authorities=[place.la])
    assert report.escalations == 1
    [escalation] = [n for n in await outbox(place) if n["dedupe_key"].startswith("breach:")]
    assert escalation["recipient_email"] == place.email("dco")


async def test_a_met_or_cancelled_clock_gets_no_reminders(place):
    case_id, _ = await make_case(place)
    await add_clock(
        case_id,
        "mediation_held_by_la",
        due=D(2027, 2, 12),
        started_on=D(2027, 1, 4),
        status="met",
        stopped_on=D(2027, 2, 1),
    )
    await add_clock(
        case_id,
        "notify_health_commissioner",
        due=D(2027, 2, 12),
        started_on=D(2027, 1, 4),
        status="cancelled",
        stopped_on=D(2027, 2, 1),
    )
    for day in (D(2027, 2, 5), D(2027, 2, 10), D(2027, 2, 12), D(2027, 2, 16)):
        await sweep_clocks(day, local_authorities=[place.la])
    assert await outbox(place) == []


async def test_a_recomputed_clock_gets_fresh_reminders_and_an_unchanged_one_never_twice(place):
    case_id, _ = await make_case(place)
    clock = await add_clock(case_id, "mediation_held_by_la", due=D(2027, 2, 12), started_on=D(2027, 1, 4))
    first = await sweep_clocks(D(2027, 2, 10), local_authorities=[place.la])
    again = await sweep_clocks(D(2027, 2, 10), local_authorities=[place.la])
    assert (first.reminders, again.reminders, again.already_queued) == (3, 0, 3)
    # Recomputed to a later date (a new version): the earlier reminders no longer count.
    await StatutoryClock.update({StatutoryClock.due: D(2027, 2, 19), StatutoryClock.version: 2}).where(
        StatutoryClock.id == clock
    )
    assert (await sweep_clocks(D(2027, 2, 11), local_authorities=[place.la])).reminders == 0
    assert (
        await sweep_clocks(D(2027, 2, 12), local_authorities=[place.la])
    ).reminders == 3  # 5 wd before 19 Feb
    keys = sorted({n["dedupe_key"].rsplit(":", 1)[0] for n in await outbox(place)})
    assert keys == [f"reminder:{clock}:v1:2wd", f"reminder:{clock}:v2:5wd"]


async def test_after_downtime_the_missed_reminder_goes_once_late_but_a_stale_one_never(place):
    late_case, _ = await make_case(place)
    stale_case, _ = await make_case(place)
    await add_clock(late_case, "mediation_held_by_la", due=D(2027, 3, 30), started_on=D(2027, 3, 1))
    await add_clock(stale_case, "mediation_held_by_la", due=D(2027, 3, 30), started_on=D(2027, 3, 1))
    # Down from before Fri 19 Mar; back on Mon 22 Mar: the 5-day reminder goes, late, once.
    await sweep_clocks(D(2027, 3, 22), local_authorities=[place.la])
    await sweep_clocks(D(2027, 3, 23), local_authorities=[place.la])
    kinds = sorted(n["dedupe_key"].split(":")[3] for n in await outbox(place))
    assert kinds == ["5wd"] * 6  # 3 recipients on each of the two cases
    await StatutoryClock.update({StatutoryClock.status: "met"}).where(
        StatutoryClock.disagreement == late_case
    )
    await StatutoryClock.update({StatutoryClock.version: 2}).where(StatutoryClock.disagreement == stale_case)
    # Back only on Thu 25 Mar after version 2: the 2-day reminder, never the stale 5-day one.
    await sweep_clocks(D(2027, 3, 25), local_authorities=[place.la])
    v2 = sorted(n["dedupe_key"].split(":")[3] for n in await outbox(place) if ":v2:" in n["dedupe_key"])
    assert v2 == ["2wd"] * 3


async def test_subjects_never_name_the_child_and_bodies_say_what_when_who_the_law_and_where(
    place, smtp_server
):
    case_id, reference = await make_case(place, child_name="Morgan Example")
    await add_clock(
        case_id,
        "mediation_held_by_la",
        due=D(2027, 1, 8),
        started_on=D(2026, 12, 1),
        citation="SEND Regulations 2014 reg 37 (S)",
    )
    await add_clock(
        case_id,
        "appeal",
        due=D(2027, 1, 8),
        started_on=D(2026, 12, 1),
        actor="family",
        citation="HESC Rules 2008 r.20(1)(c)",
    )
    await sweep_clocks(D(2027, 1, 6), local_authorities=[place.la])
    await deliver_all(smtp_server)
    coordinator = smtp_server.to(place.coordinators[0])
    family = smtp_server.to(place.family_email)
    assert len(coordinator) == 1 and len(family) == 1
    for message in coordinator + family:
        assert "Morgan" not in message["Subject"] and "Example" not in message["Subject"]
        assert reference in message["Subject"]
        body = message.get_content()
        assert "Morgan" not in body
        assert "Friday 8 January 2027" in body and "2 working days" in body
        assert f"http://127.0.0.1:8000/cases/{reference}" in body or f"/cases/{reference}" in body
    staff_body = coordinator[0].get_content()
    assert (
        "Who must act: The local authority" in staff_body and "SEND Regulations 2014 reg 37 (S)" in staff_body
    )
    family_body = family[0].get_content()
    assert "Who must act: You" in family_body and "HESC Rules 2008 r.20(1)(c)" in family_body


async def test_before_7am_the_sweep_acts_for_the_previous_day():
    london_6am = dt.datetime(2027, 3, 24, 6, 0, tzinfo=dt.UTC)  # GMT until 28 Mar
    assert sweep_day(london_6am) == D(2027, 3, 23)
    assert sweep_day(dt.datetime(2027, 3, 24, 7, 0, tzinfo=dt.UTC)) == D(2027, 3, 24)
    assert sweep_day(dt.datetime(2027, 6, 1, 6, 30, tzinfo=dt.UTC)) == D(2027, 6, 1)  # 7:30 BST


async def test_a_coordinator_gets_one_digest_each_working_day_listing_overdue_and_coming_deadlines(
    place, smtp_server
):
    case_id, reference = await make_case(place)
    await add_clock(case_id, "mediation_held_by_la", due=D(2027, 3, 23), started_on=D(2027, 2, 20))
    await add_clock(case_id, "order_amend_plan", due=D(2027, 3, 31), started_on=D(2027, 2, 24))
    await add_clock(case_id, "appeal", due=D(2027, 3, 31), started_on=D(2027, 2, 1), actor="family")
    morning = dt.datetime(2027, 3, 25, 9, 0, tzinfo=dt.UTC)
    first = await run_sweeps(morning, local_authorities=[place.la])
    again = await run_sweeps(morning + dt.timedelta(hours=3), local_authorities=[place.la])
    assert (first.digests, again.digests) == (2, 0)  # one for each coordinator, once a day
    good_friday = await run_sweeps(
        dt.datetime(2027, 3, 26, 9, 0, tzinfo=dt.UTC), local_authorities=[place.la]
    )
    assert good_friday.digests == 0  # not a working day
    await deliver_all(smtp_server)
    [digest] = [m for m in smtp_server.to(place.coordinators[0]) if m["Subject"].startswith("Daily summary")]
    assert digest["Subject"] == "Daily summary for Thursday 25 March 2027: 1 overdue, 1 due soon"
    body = digest.get_content()
    assert "Overdue (1):" in body and "was due Tuesday 23 March 2027" in body
    assert "Due by Monday 5 April 2027 (1):" in body and "Wednesday 31 March 2027" in body
    assert (
        f"/cases/{reference}" in body and "Appeal" not in body
    )  # the family's own limit is not the LA's task


async def test_a_child_whose_name_is_in_the_subject_line_gets_a_plainer_subject_not_a_stuck_sweep(place):
    case_id, reference = await make_case(place, child_name="April Stone")
    await add_clock(case_id, "mediation_held_by_la", due=D(2027, 4, 9), started_on=D(2027, 3, 1))
    await add_clock(case_id, "order_amend_plan", due=D(2027, 4, 1), started_on=D(2027, 3, 1))
    report = await sweep_clocks(D(2027, 4, 7), local_authorities=[place.la])
    assert (report.reminders, report.escalations) == (3, 1)
    subjects = {n["subject"] for n in await outbox(place)}
    assert subjects == {
        f"Deadline reminder: disagreement {reference}",
        f"Deadline missed: disagreement {reference}",
    }


async def test_without_a_send_manager_contact_the_escalation_goes_to_the_councils_own_address(app):
    bare = await make_place(with_contacts=False)
    try:
        case_id, _ = await make_case(bare)
        await add_clock(case_id, "mediation_held_by_la", due=D(2027, 2, 12), started_on=D(2027, 1, 4))
        await sweep_clocks(D(2027, 2, 15), local_authorities=[bare.la])
        [escalation] = await outbox(bare)
        assert escalation["recipient_email"] == bare.email("council")
        note = await AuditEvent.select(AuditEvent.summary).where(
            (AuditEvent.disagreement_id == case_id) & (AuditEvent.action == "breach")
        )
        assert note[0]["summary"].endswith(f"We have told Testshire Council {bare.tag}.")
    finally:
        await remove_outbox(bare)
