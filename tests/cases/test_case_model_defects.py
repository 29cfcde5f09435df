"""Issue 11's defects, each reproduced as it was reported: a clock nothing could stop, a doubled clock, an
ICB stuck on its own case, one draft becoming several cases, two notice clocks for one meeting, matters
left behind by a re-route, breaks that never reached the meeting, leave recorded over a meeting."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from mediation import timekeeping
from mediation.advice.service import notify_icb, record_advice, record_request
from mediation.case_events.handlers import duty_done
from mediation.case_mediation.service import mediation_view
from mediation.cases.tables import Disagreement, DisputedMatter
from mediation.clocks.tables import StatutoryClock
from mediation.errors import Invalid
from mediation.lodging.tables import LodgingDraft
from mediation.notify.tables import Notification
from mediation.offers.service import make_offer
from mediation.outcomes.service import IssueResult, OutcomeForm, record_outcome
from mediation.reminders.service import sweep_clocks
from mediation.scheduling.service import plan_problems
from mediation.scheduling.slots import LONDON
from mediation.scheduling.tables import MediationSession
from mediation.services.service import add_leave
from mediation.sessions.service import book, reschedule
from tests.conftest import client_as
from tests.lodging.helpers import answer, la_id, standard_answers, start_draft
from tests.mediation.helpers import make_world
from tests.mediation.test_booking import first_slot, plan_for

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def clocks_of(case_id: int, rule: str) -> list[dict]:
    return await StatutoryClock.select().where(
        (StatutoryClock.disagreement == case_id) & (StatutoryClock.rule == rule)
    )


async def held_with_agreement(w, results, order: str = "") -> None:  # type: ignore[no-untyped-def]
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    session_id = await book(await w.case(), plan, actor=w.la)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=4)
    await MediationSession.update(
        {MediationSession.starts_at: start, MediationSession.ends_at: start + dt.timedelta(hours=3)}
    ).where(MediationSession.id == session_id)
    form = OutcomeForm(
        held_on=TODAY,
        results=results,
        agreement_text="The LA will do what was agreed.",
        agreement_date=TODAY,
        order=order,
    )
    await record_outcome(await w.case(), form, actor=w.mediator)


async def test_the_act_on_the_agreement_clock_is_stopped_by_the_la_and_never_escalated(app):
    # Reported: the reg 42 clock could never be stopped; "complied" kept "Next deadline"; the sweep then
    # emailed the Head of SEND "Deadline missed".
    w = await make_world(sections=("E",))  # outcomes: not appealable, so reg 42(3) applies
    await held_with_agreement(w, [IssueResult("E", "agreed")])
    case = await w.case()
    clock = case.running_clock("agreement_non_appealable")
    assert clock is not None and clock.actor == "local_authority"
    assert case.next_body_due() == clock.due
    done = await duty_done(case, "agreement_non_appealable", TODAY, actor=w.la, action=None, note="")
    assert done.state == "complied" and done.next_body_due() is None
    row = await Disagreement.select(Disagreement.next_due_date).where(Disagreement.id == w.case_id).first()
    assert row["next_due_date"] is None
    with timekeeping.use_clock(clock.due + dt.timedelta(days=14)):
        await sweep_clocks(clock.due + dt.timedelta(days=14), local_authorities=[w.la_id])
    assert not await Notification.exists().where(Notification.dedupe_key.like(f"breach:{clock.id}:%"))


async def test_telling_the_icb_then_recording_the_adviser_contact_keeps_one_notify_clock(app):
    # Reported: a second notify_health_commissioner clock started, and nothing could stop it.
    w = await make_world(sections=("C", "G"), wants_mediation=True)
    await notify_icb(await w.case(), notified_on=TODAY, actor=w.la)
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.la)
    notify = await clocks_of(w.case_id, "notify_health_commissioner")
    assert [c["status"] for c in notify] == ["met"]
    case = await w.case()
    assert case.running_clock("notify_health_commissioner") is None
    assert case.running_clock("mediation_held_by_icb") is not None


async def test_the_icb_acts_on_its_own_health_only_case(app):
    # Reported: the ICB could not record that the family asked for mediation, and offering times was refused
    # ("Times can be offered only after the family asks for mediation") while its 30 days ran.
    w = await make_world(sections=("C", "G"), wants_mediation=None)
    asked = TODAY - dt.timedelta(days=1)
    case = await record_request(await w.case(), on=asked, actor=w.icb)
    assert case.state == "mediation_requested"
    case = await notify_icb(case, notified_on=TODAY, actor=w.la)
    plan = plan_for(w, la_officer_id=None, icb_officer_id=w.icb.id)
    found = await first_slot(w, plan)
    from mediation.scheduling.service import search

    slots = (await search(case, plan)).slots
    keys = [f"{s.isoformat()}/{e.isoformat()}" for s, e in slots[:2]]
    assert found and len(keys) == 2
    token = await make_offer(case, plan, keys, actor=w.icb)
    assert token
    view = await mediation_view(w.icb, await w.case())
    assert "schedule" in view.actions


async def _submit(client, draft: int):  # type: ignore[no-untyped-def]
    return await answer(client, draft, "check", {})


@pytest.mark.parametrize("times", [2, 10])
async def test_a_draft_sent_several_times_at_once_becomes_one_case(app, times):
    # Reported: a double click made 2 cases in 5 of 5 tries; 20 submits made 12 cases and 12 emails.
    family = await client_as(app, "family")
    draft = await start_draft(family)
    for step, data in standard_answers(await la_id()):
        assert (await answer(family, draft, step, data)).status_code == 303
    replies = await asyncio.gather(*[_submit(family, draft) for _ in range(times)])
    assert {r.status_code for r in replies} == {303}
    row = await LodgingDraft.select(LodgingDraft.reference).where(LodgingDraft.id == draft).first()
    cases = await Disagreement.select(Disagreement.reference).where(Disagreement.lodging_draft == draft)
    assert [c["reference"] for c in cases] == [row["reference"]]
    emails = await Notification.count().where(Notification.dedupe_key == f"lodged:{row['reference']}")
    assert emails == 1
    await family.aclose()


async def test_moving_a_meeting_keeps_one_notice_clock_started_when_the_notice_went(app):
    # Reported: two mediation_notice clocks, one "due 24 Nov", one stopped before it started.
    w = await make_world()
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.la)
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    session_id = await book(await w.case(), plan, actor=w.la)
    later = (plan.starts_at + dt.timedelta(days=7)).astimezone(LONDON)
    while later.weekday() >= 5:
        later += dt.timedelta(days=1)
    await reschedule(await w.case(), session_id, later, "The mediator is ill", consent=False, actor=w.la)
    notices = await clocks_of(w.case_id, "mediation_notice")
    assert len(notices) == 1
    notice = notices[0]
    assert notice["status"] == "met" and notice["started_on"] == TODAY and notice["stopped_on"] == TODAY
    assert notice["started_on"] <= notice["stopped_on"] and notice["version"] == 2


async def test_re_routing_to_health_only_drops_the_other_matters_and_tells_the_family(app):
    # Reported: re-routing to health-only left B and F listed and told the family nothing.
    w = await make_world(sections=("B", "F", "G"))
    from mediation.cases.commands import reroute_case

    case = await reroute_case(await w.case(), ["G"], "B and F agreed at the annual review", actor=w.la)
    assert case.arranged_by == "health_commissioner"
    matters = await DisputedMatter.select(DisputedMatter.section).where(
        DisputedMatter.disagreement == w.case_id
    )
    assert [m["section"] for m in matters] == ["G"]
    told = await Notification.select().where(
        (Notification.disagreement_id == w.case_id)
        & Notification.dedupe_key.like(f"rerouted:{w.reference}:%")
    )
    assert len(told) == 1 and "B and F agreed" in told[0]["body_text"]
    assert "Kit" not in told[0]["subject"]


async def test_regular_breaks_reach_the_meeting_page_and_the_slot_finder(app):
    # Reported: "Regular breaks" never reached the mediation page or the slot finder.
    w = await make_world(accessibility={"breaks": "yes"})
    view = await mediation_view(w.la, await w.case())
    assert any("Regular breaks" in need for need in view.needs)
    from mediation.services.tables import Venue

    await Venue.update({Venue.quiet_room: False}).where(Venue.id == w.venue_id)
    problems = await plan_problems(await w.case(), plan_for(w))
    assert "regular breaks" in problems["venue"]
    await Venue.update({Venue.quiet_room: True}).where(Venue.id == w.venue_id)
    assert "venue" not in await plan_problems(await w.case(), plan_for(w))


async def test_leave_cannot_be_recorded_over_a_booked_meeting(app):
    # Reported: mediator leave could be recorded over a booked meeting with no warning.
    w = await make_world()
    await record_advice(await w.case(), contacted_on=TODAY, choice="mediate", actor=w.la)
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    await book(await w.case(), plan, actor=w.la)
    day = plan.starts_at.astimezone(LONDON).date()
    with pytest.raises(Invalid) as refused:
        await add_leave(w.service_id, w.profile_id, day, day, "Holiday", actor=w.mediator)
    assert "has a meeting booked during this leave" in refused.value.errors["first"]
    assert w.reference in refused.value.errors["first"]
    await add_leave(
        w.service_id,
        w.profile_id,
        day + dt.timedelta(days=1),
        day + dt.timedelta(days=2),
        "",
        actor=w.mediator,
    )
