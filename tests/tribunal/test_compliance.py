"""Compliance with what the tribunal decided: actions meet clocks, missed ones show as breached."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.cases.model import Disagreement
from mediation.errors import Invalid
from mediation.tribunal.checks import TribunalInputError
from mediation.tribunal.decisions import record_outcomes
from mediation.tribunal.duties import record_action, record_order
from mediation.tribunal.schemas import ActionInput, OrderInput, OutcomesInput
from mediation.tribunal.service import compliance, tribunal_view
from mediation.tribunal.tables import TribunalObligation
from tests.conftest import client_as, sign_in
from tests.tribunal.helpers import (
    appealed_case,
    case_row,
    clocks,
    duties,
    org_id,
    other_bodies,
    person,
)

pytestmark = pytest.mark.anyio
D = dt.date


JUNE_1 = D(2026, 6, 1)


async def _ordered(name: str, order_type: str = "amend_plan", made: dt.date = JUNE_1) -> Disagreement:
    case = await appealed_case(name, notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    la = await person("la_coordinator")
    case = await record_outcomes(
        case, OutcomesInput(decision_on=made, outcomes={"B": "allowed", "F": "partly_allowed"}), actor=la
    )
    return await record_order(case, OrderInput(order_type=order_type, made_on=made), actor=la)


async def test_a_missed_order_shows_as_breached_everywhere(app):
    # Amend order made Mon 1 Jun 2026: 5 weeks is Mon 6 Jul 2026, long past and not recorded as done.
    case = await _ordered("Breached order")
    la = await person("la_coordinator")
    [duty] = await duties(case.id)
    assert duty["due"] == D(2026, 7, 6)
    view = await tribunal_view(case, la)
    assert view.obligations[0].status == "breached"
    step = next(s for s in view.steps if s.title == "Issue the amended plan")
    assert step.status == "overdue" and "Ombudsman" in step.meaning
    breached = await compliance(la, breached_only=True)
    assert duty["id"] in {d.id for d in breached.duties if d.status == "breached"}
    assert (await clocks(case.id))["order_amend_plan"]["status"] == "running"
    family = await client_as(app, "family")
    page = (await family.get(f"/cases/{case.reference}/tribunal")).text
    assert "Overdue" in page and "Monday 6 July 2026" in page
    await family.aclose()


async def test_an_order_not_yet_due_is_open_not_breached(app):
    made = timekeeping.today() - dt.timedelta(days=1)
    case = await _ordered("Open order", made=made)
    view = await tribunal_view(case, await person("la_coordinator"))
    assert [o.status for o in view.obligations] == ["open"]


async def test_recording_the_action_meets_the_clock_and_the_case_has_complied(app):
    case = await _ordered("Complied order")
    assert case.state == "decided"
    la = await person("la_coordinator")
    [duty] = await duties(case.id)
    after = await record_action(
        case, duty, ActionInput(action="amended_plan_issued", done_on=D(2026, 7, 3)), actor=la
    )
    # The last duty met: compliance is recorded by the service itself.
    assert after.state == "complied"
    clock = (await clocks(case.id))["order_amend_plan"]
    assert (clock["status"], clock["stopped_on"]) == ("met", D(2026, 7, 3))
    [duty] = await duties(case.id)
    assert (duty["status"], duty["action"], duty["done_on"]) == ("met", "amended_plan_issued", D(2026, 7, 3))
    assert (await case_row(case.id))["state"] == "complied"
    assert duty["id"] not in {d.id for d in (await compliance(la)).duties}


async def test_a_no_plan_decision_ends_the_final_plan_duty_of_the_same_assessment_order(app):
    case = await _ordered("Assess order", order_type="assess", made=D(2026, 8, 3))
    la = await person("la_coordinator")
    by_rule = {d["rule"]: d for d in await duties(case.id)}
    case = await record_action(
        case,
        by_rule["order_assess_notify"],
        ActionInput(action="assessment_notified", done_on=D(2026, 8, 14)),
        actor=la,
    )
    assert case.state == "decided"  # two duties of the order still run
    case = await record_action(
        case,
        by_rule["order_assess_no_plan"],
        ActionInput(action="no_plan_notified", done_on=D(2026, 10, 9)),
        actor=la,
    )
    statuses = {d["rule"]: d["status"] for d in await duties(case.id)}
    assert statuses == {
        "order_assess_notify": "met",
        "order_assess_no_plan": "met",
        "order_assess_final_plan": "cancelled",
    }
    assert {r: c["status"] for r, c in (await clocks(case.id, "order_")).items()} == {
        "order_assess_notify": "met",
        "order_assess_no_plan": "met",
        "order_assess_final_plan": "cancelled",
    }
    assert (await case_row(case.id))["state"] == "complied"


async def test_an_action_needs_a_real_choice_a_date_and_for_not_applicable_a_reason(app):
    case = await _ordered("Bad action")
    la = await person("la_coordinator")
    [duty] = await duties(case.id)
    for data, field in (
        (ActionInput(action="draft_plan_issued", done_on=D(2026, 7, 1)), "action"),
        (ActionInput(action="not_applicable", done_on=D(2026, 7, 1)), "note"),
        (ActionInput(action="amended_plan_issued", done_on=D(2026, 5, 1)), "done_on-day"),
        (ActionInput(action="amended_plan_issued", done_on=D(2099, 1, 1)), "done_on-day"),
    ):
        # A choice or a note is the tribunal form's own check; a date is the case event's (both Invalid).
        with pytest.raises(TribunalInputError if field != "done_on-day" else Invalid) as refused:
            await record_action(case, duty, data, actor=la)
        assert field in refused.value.errors
    assert (await duties(case.id))[0]["status"] == "open"


async def test_administrators_see_open_and_breached_orders_per_la_and_nothing_about_cases(app):
    await other_bodies()
    await _ordered("Counted order")
    demo_la = await org_id("E06000042")
    open_rows = await TribunalObligation.select(TribunalObligation.due).where(
        (TribunalObligation.owed_by == demo_la)
        & (TribunalObligation.status == "open")
        & TribunalObligation.kind.is_in(["order", "unopposed"])
    )
    today = timekeeping.today()
    admin = await client_as(app, "admin")
    body = (await admin.get("/api/v1/tribunal/compliance")).json()
    counts = {c["local_authority"]: (c["open"], c["breached"]) for c in body["counts"]}
    assert counts["Milton Keynes City Council"] == (len(open_rows), sum(r["due"] < today for r in open_rows))
    assert counts["Other Borough Council"] == (0, 0)
    assert body["duties"] == [] and body["responses"] == []
    page = await admin.get("/tribunal/compliance")
    assert page.status_code == 200 and "Other Borough Council" in page.text
    await admin.aclose()


async def test_another_la_sees_none_of_this_las_orders(app):
    emails = await other_bodies()
    case = await _ordered("Not yours")
    other = await client_as(app, "anonymous")
    await sign_in(other, emails["la"])
    body = (await other.get("/api/v1/tribunal/compliance")).json()
    assert case.reference not in {d["reference"] for d in body["duties"]}
    assert (await other.get(f"/cases/{case.reference}/tribunal")).status_code == 404
    await other.aclose()


async def test_orders_and_actions_through_the_api(app):
    # The JSON endpoints .../tribunal/orders and .../duties/{id}/action were replaced by the case events
    # `order_made` (an order_* rule) and `duty_done` (the rule, and what was done).
    case = await appealed_case("API order", notice=D(2026, 3, 2), lodged=D(2026, 4, 1))
    la = await client_as(app, "la_coordinator")
    await la.get("/home")
    headers = {"x-csrftoken": la.cookies.get("csrftoken", "")}
    events = f"/api/v1/cases/{case.reference}/events"
    made = await la.post(
        events,
        json={"event": "order_made", "order": "order_section_i", "on": "2026-03-20", "sent_on": "2026-03-27"},
        headers=headers,
    )
    assert made.status_code == 422 and "on or after the day the appeal was sent" in made.json()["detail"]
    made = await la.post(
        events, json={"event": "order_made", "order": "order_nonsense", "on": "2026-07-14"}, headers=headers
    )
    assert made.status_code == 422, made.text
    made = await la.post(
        events,
        json={"event": "order_made", "order": "order_section_i", "on": "2026-07-14", "sent_on": "2026-07-21"},
        headers=headers,
    )
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["state"] == "decided"
    [order_clock] = [c for c in body["clocks"] if c["rule"] == "order_section_i"]
    assert (order_clock["due"], order_clock["who_must_act"]) == ("2026-07-28", "local_authority")
    [duty] = (await la.get(f"/api/v1/cases/{case.reference}/tribunal")).json()["obligations"]
    assert (duty["due"], duty["practical_due"], duty["status"]) == ("2026-07-28", "2026-08-04", "breached")
    family = await client_as(app, "family")
    await family.get("/home")
    refused = await family.post(
        events,
        json={"event": "duty_done", "rule": "order_section_i", "on": "2026-07-27"},
        headers={"x-csrftoken": family.cookies.get("csrftoken", "")},
    )
    assert refused.status_code == 403, refused.text
    done = await la.post(
        events,
        json={"event": "duty_done", "rule": "order_section_i", "action": "amended_plan_issued",
              "on": "2026-07-27"},
        headers=headers,
    )  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "complied"
    tracker = (await la.get(f"/api/v1/cases/{case.reference}/tribunal")).json()
    assert [(o["status"], o["action"]) for o in tracker["obligations"]] == [("met", "amended_plan_issued")]
    listed = (await la.get("/api/v1/tribunal/compliance?show=breached")).json()
    assert duty["id"] not in {d["id"] for d in listed["duties"]}
    assert (await la.get("/api/v1/tribunal/compliance?show=nonsense")).status_code == 400
    for gone in (f"/api/v1/cases/{case.reference}/tribunal/orders",
                 f"/api/v1/cases/{case.reference}/tribunal/duties/{duty['id']}/action"):  # fmt: skip
        assert (await la.post(gone, json={}, headers=headers)).status_code in (404, 405)
    for c in (la, family):
        await c.aclose()
