"""api-contract.md: "Every clock a body must meet can be stopped by that body through duty_done; no clock is
left running that nobody can stop." Proved here for every rule of the catalogue and every body that may
owe it: the clock is started on a case, the owing body records `duty_done`, and the clock is met."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.advice.service import record_advice, unable_to_arrange
from mediation.case_events.handlers import duty_done
from mediation.cases.repository import load_case
from mediation.clocks.service import start_agreed_clock, start_clock
from mediation.errors import Refused
from mediation.outcomes.service import IssueResult
from mediation.rules.catalogue import BODIES, RULES, versions
from mediation.tribunal.schemas import AppealInput, TimetableInput
from tests.cases.test_case_model_defects import held_with_agreement
from tests.mediation.helpers import World, make_world

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()

# Rules whose duty is itself an event with more to it than a date (the law gives it its own record): the
# `duty_done` on them records that event, so they are set up as a real case would reach them.
OWN_EVENTS = {
    "notify_health_commissioner",
    "certificate_after_decline",
    "certificate_unable_to_arrange",
    "certificate_after_mediation",
    "tribunal_la_response",
}
BODY_RULES = sorted(
    {(r.id, actor) for r in RULES if r.effective_to is None for actor in r.acts if actor in BODIES}
)


def user_for(w: World, actor: str):  # type: ignore[no-untyped-def]
    return {
        "local_authority": w.la,
        "health_commissioner": w.icb,
        "mediator": w.mediator,
        "mediation_adviser": w.mediator,
    }[actor]


async def _start(w: World, rule: str, actor: str) -> None:
    spec = versions(rule)[-1]
    start = TODAY - dt.timedelta(days=3)
    if spec.unit == "agreed":
        await start_agreed_clock(
            w.case_id, rule, TODAY + dt.timedelta(days=20), ["agreed in writing"],
            citation=spec.citation, started_on=start, started_by="test", actor=actor,
        )  # fmt: skip
        return
    inputs: dict[str, object] = {"start": start}
    if spec.inputs == ("mediation_date",):
        inputs = {"mediation_date": TODAY + dt.timedelta(days=20)}
    elif rule == "agreement_appealable":
        inputs = {"start": start, "order": "order_amend_plan"}
    elif spec.unit == "later_of":
        inputs = {"notice_sent": start}
    await start_clock(
        w.case_id,
        rule,
        inputs,
        started_on=start,
        started_by="test",
        decision_date=start,
        actor=actor,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("rule", "actor"), [p for p in BODY_RULES if p[0] not in OWN_EVENTS])
async def test_the_owing_body_stops_the_clock_with_duty_done(app, rule, actor):
    w = await make_world(sections=("B", "F", "G"), notice_days_ago=5)
    await _start(w, rule, actor)
    case = await load_case(w.case_id)
    assert case.running_clock(rule, actor) is not None
    done = await duty_done(case, rule, TODAY, actor=user_for(w, actor), action=None, note="")
    assert done.running_clock(rule, actor) is None
    stopped = next(c for c in done.clocks if c.rule == rule and c.actor == actor)
    # Met, or late where the limit had already passed (an order to act "immediately", three days ago).
    assert stopped.status_on(TODAY) == ("late" if stopped.due < TODAY else "met")


@pytest.mark.parametrize(("rule", "actor"), [p for p in BODY_RULES if p[0] not in OWN_EVENTS][:6])
async def test_nobody_else_may_stop_a_bodys_clock(app, rule, actor):
    w = await make_world(sections=("B", "F", "G"), notice_days_ago=5)
    await _start(w, rule, actor)
    case = await load_case(w.case_id)
    someone_else = w.family if actor != "mediator" else w.la
    with pytest.raises(Refused):
        await duty_done(case, rule, TODAY, actor=someone_else, action=None, note="")


async def test_the_la_stops_its_clock_to_tell_the_icb(app):
    w = await make_world(sections=("C", "G"), wants_mediation=True, notice_days_ago=5)
    case = await duty_done(
        await w.case(), "notify_health_commissioner", TODAY, actor=w.la, action=None, note=""
    )
    assert case.running_clock("notify_health_commissioner") is None
    assert case.running_clock("mediation_held_by_icb") is not None  # what telling the ICB starts


@pytest.mark.parametrize(
    "kind", ["certificate_after_decline", "certificate_unable_to_arrange", "certificate_after_mediation"]
)
async def test_the_mediation_service_stops_a_certificate_clock_by_issuing_it(app, kind):
    w = await make_world(notice_days_ago=5)
    if kind == "certificate_after_decline":
        await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.mediator)
    elif kind == "certificate_unable_to_arrange":
        await unable_to_arrange(await w.case(), told_on=TODAY, reason="No mediator free", actor=w.la)
    else:
        await held_with_agreement(w, [IssueResult("B", "not_agreed"), IssueResult("F", "not_agreed")])
    case = await w.case()
    assert case.running_clock(kind) is not None
    done = await duty_done(case, kind, TODAY, actor=w.mediator, action=None, note="")
    assert done.running_clock(kind) is None and done.state in {"certificate_issued"}
    appeal = done.running_clock("appeal")
    assert appeal is not None and appeal.version >= 2  # recomputed with the certificate's date


async def test_the_la_stops_its_response_clock_by_sending_the_response(app):
    from mediation.tribunal.commands import record_appeal
    from mediation.tribunal.timetable import save_timetable

    w = await make_world(notice_days_ago=30, wants_mediation=False)
    lodged = TODAY - dt.timedelta(days=10)
    case = await record_appeal(await w.case(), AppealInput(lodged_on=lodged, matters=["B", "F"]), actor=w.la)
    case = await save_timetable(case, TimetableInput(la_received_on=TODAY - dt.timedelta(days=5)), actor=w.la)
    assert case.running_clock("tribunal_la_response") is not None
    done = await duty_done(case, "tribunal_la_response", TODAY, actor=w.la, action=None, note="")
    assert done.running_clock("tribunal_la_response") is None


def test_every_body_rule_of_the_catalogue_is_proved_here():
    covered = {rule for rule, _ in BODY_RULES}
    assert covered >= OWN_EVENTS
    assert {r.id for r in RULES if any(a in BODIES for a in r.acts)} == covered
