"""Recording the outcome concludes the mediation and starts the clocks that follow an agreement (Regs 42)."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.certificates.service import issue_certificate
from mediation.errors import Conflict, Invalid
from mediation.outcomes.service import IssueResult, OutcomeForm, record_outcome
from mediation.outcomes.tables import IssueOutcome
from mediation.rules.deadlines import compute_deadline
from mediation.scheduling.tables import MediationSession
from mediation.sessions.service import book
from tests.mediation.helpers import World, make_world
from tests.mediation.test_booking import first_slot, plan_for, requested

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def held_today(w: World, **plan_overrides) -> None:
    """Book the first slot, then move it to this morning (as if the meeting has just happened)."""
    plan = plan_for(w, **plan_overrides)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    case = await w.case()
    session_id = await book(case, plan, actor=w.icb if case.health_only else w.la)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=4)
    await MediationSession.update(
        {MediationSession.starts_at: start, MediationSession.ends_at: start + dt.timedelta(hours=3)}
    ).where(MediationSession.id == session_id)


def form(**kwargs) -> OutcomeForm:
    values = {"held_on": TODAY, "results": []}
    values.update(kwargs)
    return OutcomeForm(**values)


async def test_no_agreement_concludes_mediation_and_starts_the_certificate_clock(app):
    w = await requested()
    await held_today(w)
    results = [IssueResult("B", "not_agreed"), IssueResult("F", "not_agreed")]
    state = (await record_outcome(await w.case(), form(results=results), actor=w.mediator)).state
    assert state == "no_agreement"
    clocks = await w.clocks()
    assert clocks["mediation_held_by_la"]["status"] == "met"
    assert (
        clocks["certificate_after_mediation"]["due"]
        == compute_deadline("certificate_after_mediation", {"start": TODAY}).due
    )
    assert await IssueOutcome.count().where(IssueOutcome.disagreement == w.case_id) == 2
    issued = await issue_certificate(await w.case(), TODAY, actor=w.mediator)
    assert (await w.clocks())["certificate_after_mediation"]["status"] == "met"
    assert issued.state == "certificate_issued"


async def test_an_agreement_on_appealable_and_other_matters_starts_both_regs_42_clocks(app):
    w = await requested(sections=("B", "F", "G"))
    await held_today(w, icb_officer_id=w.icb.id)
    results = [
        IssueResult("B", "agreed"),
        IssueResult("F", "partly_agreed", "Therapy agreed, hours not"),
        IssueResult("G", "agreed"),
    ]
    state = (
        await record_outcome(
            await w.case(),
            form(
                results=results,
                agreement_text="The LA will amend B and F.",
                agreement_date=TODAY,
                order="order_amend_plan",
            ),
            actor=w.mediator,
        )
    ).state
    assert state == "agreement"
    clocks = await w.clocks()
    assert clocks["agreement_appealable"]["due"] == TODAY + dt.timedelta(weeks=5)
    assert clocks["agreement_non_appealable"]["due"] == TODAY + dt.timedelta(weeks=2)
    assert "agreement_icb_tells_la" not in clocks


async def test_a_health_only_agreement_makes_the_icb_tell_the_la_within_a_week(app):
    w = await requested(sections=("C", "G"))
    from mediation.advice.service import notify_icb

    await notify_icb(await w.case(), notified_on=TODAY, actor=w.la)
    await held_today(w, la_officer_id=None, authority_confirmed=True, icb_officer_id=w.icb.id)
    await record_outcome(
        await w.case(),
        form(
            results=[IssueResult("C", "agreed"), IssueResult("G", "agreed")],
            agreement_text="OT review every term.",
            agreement_date=TODAY,
        ),
        actor=w.mediator,
    )
    clocks = await w.clocks()
    assert clocks["mediation_held_by_icb"]["status"] == "met"
    assert clocks["agreement_icb_tells_la"]["due"] == TODAY + dt.timedelta(weeks=1)
    assert clocks["agreement_non_appealable"]["due"] == TODAY + dt.timedelta(weeks=2)
    assert "certificate_after_mediation" not in clocks  # health only: no appeal, no certificate


async def test_a_timescale_agreed_in_writing_replaces_the_regs_42_timescales(app):
    w = await requested()
    await held_today(w)
    agreed_due = TODAY + dt.timedelta(days=50)
    await record_outcome(
        await w.case(),
        form(
            results=[IssueResult("B", "agreed"), IssueResult("F", "agreed")],
            agreement_text="Amend B and F by the agreed date.",
            agreement_date=TODAY,
            agreed_due=agreed_due,
        ),
        actor=w.mediator,
    )
    clocks = await w.clocks()
    override = clocks["agreement_override"]
    assert override["due"] == agreed_due and override["citation"] == "SEND Regulations 2014 reg 42(5)"
    assert override["status"] == "running"
    assert "agreement_appealable" not in clocks and "agreement_non_appealable" not in clocks


async def test_an_agreement_needs_its_text_and_the_matching_order(app):
    w = await requested()
    await held_today(w)
    with pytest.raises(Invalid) as refused:
        await record_outcome(
            await w.case(), form(results=[IssueResult("B", "agreed")], agreement_date=TODAY), actor=w.mediator
        )
    assert refused.value.errors == {
        "outcome-F": "Select the outcome for section F: special educational provision",
        "agreement_text": "Enter the written mediation agreement",
        "order": "Select which tribunal order the agreement on appealable matters matches",
    }


async def test_the_outcome_cannot_be_dated_before_the_booked_meeting(app):
    w = await requested()
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    await book(await w.case(), plan, actor=w.la)  # a meeting in the coming days, not yet held
    with pytest.raises(Invalid) as refused:
        await record_outcome(
            await w.case(),
            form(results=[IssueResult("B", "not_agreed"), IssueResult("F", "not_agreed")]),
            actor=w.mediator,
        )
    assert "the mediation cannot have been held before it" in refused.value.errors["held-day"]


async def test_the_outcome_cannot_be_recorded_before_the_family_asks_for_mediation(app):
    w = await make_world(wants_mediation=None)
    with pytest.raises(Conflict) as refused:
        await record_outcome(
            await w.case(),
            form(results=[IssueResult("B", "not_agreed"), IssueResult("F", "not_agreed")]),
            actor=w.mediator,
        )
    assert "the family must first ask for mediation" in refused.value.errors["event"]
