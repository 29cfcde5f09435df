import datetime as dt

import pytest

from mediation import timekeeping
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import StatutoryClock
from tests.confirmations import confirmation_after
from tests.conftest import client_as
from tests.lodging.helpers import la_id, lodge, standard_answers

pytestmark = pytest.mark.anyio


async def _running(case_id: int) -> set[str]:
    rows = await StatutoryClock.select(StatutoryClock.rule).where(
        (StatutoryClock.disagreement == case_id) & (StatutoryClock.status == "running")
    )
    return {r["rule"] for r in rows}


async def test_rerouting_to_health_only_moves_the_case_to_the_icb_and_the_clocks_follow(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id(), "plan_contents", ["F", "G"]))
    case = await Disagreement.select().where(Disagreement.reference == reference).first()
    assert await _running(case["id"]) == {"contact_mediation_adviser", "appeal", "mediation_held_by_la"}

    la = await client_as(app, "la_coordinator")
    await la.get(f"/cases/{reference}")
    response = await la.post(
        f"/cases/{reference}/reroute",
        data={
            "sections": ["G"],
            "reason": "Section F agreed at review",
            "_csrf_token": la.cookies.get("csrftoken"),
        },
    )
    assert response.status_code == 303
    assert await confirmation_after(la, response) == "Case re-routed"
    case = await Disagreement.select().where(Disagreement.reference == reference).first()
    assert case["arranged_by"] == "health_commissioner"
    assert case["scope"] == "health"
    assert "notify_health_commissioner" in await _running(case["id"])
    assert "mediation_held_by_la" not in await _running(case["id"])
    assert "appeal" not in await _running(case["id"])
    event = (
        await AuditEvent.select()
        .where((AuditEvent.disagreement_id == case["id"]) & (AuditEvent.action == "rerouted"))
        .output(load_json=True)
        .first()
    )
    assert event["before"]["sections"] == "F,G"
    assert event["after"]["sections"] == "G"
    assert "Section F agreed at review" in event["summary"]
    page = (await family.get(f"/cases/{reference}")).text
    assert "Section F agreed at review" in page
    for c in (family, la):
        await c.aclose()


async def test_rerouting_within_the_la_keeps_its_running_mediation_clock(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id(), "plan_contents", ["F"]))
    case = await Disagreement.select().where(Disagreement.reference == reference).first()
    before = (
        await StatutoryClock.select(StatutoryClock.due)
        .where((StatutoryClock.disagreement == case["id"]) & (StatutoryClock.rule == "mediation_held_by_la"))
        .first()
    )
    la = await client_as(app, "la_coordinator")
    await la.get(f"/cases/{reference}")
    response = await la.post(
        f"/cases/{reference}/reroute",
        data={
            "sections": ["F", "G"],
            "reason": "Health provision added",
            "_csrf_token": la.cookies.get("csrftoken"),
        },
    )
    assert response.status_code == 303
    after = (
        await StatutoryClock.select(StatutoryClock.due, StatutoryClock.status)
        .where((StatutoryClock.disagreement == case["id"]) & (StatutoryClock.rule == "mediation_held_by_la"))
        .first()
    )
    assert after == {"due": before["due"], "status": "running"}
    case = await Disagreement.select(Disagreement.icb).where(Disagreement.reference == reference).first()
    assert case["icb"] is not None  # the ICB is now a party
    for c in (family, la):
        await c.aclose()


async def test_rerouting_needs_a_reason_and_valid_sections(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id()))
    la = await client_as(app, "la_coordinator")
    await la.get(f"/cases/{reference}")
    response = await la.post(
        f"/cases/{reference}/reroute",
        data={"sections": [], "reason": "", "_csrf_token": la.cookies.get("csrftoken")},
    )
    assert response.status_code == 400
    assert "Enter why the disputed matters have changed" in response.text
    assert "plan_contents" in response.text or "at least one" in response.text
    case = await Disagreement.select(Disagreement.sections).where(Disagreement.reference == reference).first()
    assert case["sections"] == "B,F"  # nothing changed
    for c in (family, la):
        await c.aclose()


async def test_the_queue_filters_by_breach_risk_scope_and_state(app):
    la = await client_as(app, "la_coordinator")
    overdue_ref = (
        await Disagreement.select(Disagreement.reference)
        .where(Disagreement.child_name == "Robin Taylor")
        .first()
    )["reference"]
    await Disagreement.update({Disagreement.next_due_date: timekeeping.today() - dt.timedelta(days=1)}).where(
        Disagreement.reference == overdue_ref
    )
    overdue = (await la.get("/api/v1/cases?risk=overdue")).json()
    assert overdue_ref in [c["reference"] for c in overdue]  # other tests' cases share the demo LA
    assert {c["risk"] for c in overdue} == {"overdue"}
    health = (await la.get("/api/v1/cases?scope=health")).json()
    assert health and all("health" in c["scope"] for c in health)
    closed = (await la.get("/api/v1/cases?state=closed")).json()  # other tests close cases of the demo LA
    assert {c["state"] for c in closed} <= {"closed"}
    assert not {c["reference"] for c in closed} & {overdue_ref}
    page = await la.get("/home?risk=overdue")
    assert overdue_ref in page.text
    assert "Overdue" in page.text
    bad = await la.get("/api/v1/cases?risk=soon")
    assert bad.status_code == 400
    assert "risk must be one of" in bad.json()["detail"]
    await la.aclose()


async def test_the_queue_page_keeps_the_chosen_filters_and_says_when_nothing_matches(app):
    icb = await client_as(app, "health_commissioner")
    page = await icb.get("/home?state=closed&scope=health&risk=nonsense")
    assert page.status_code == 200
    assert '<option value="closed" selected>' in page.text
    assert '<option value="health" selected>' in page.text
    assert "No cases match these filters." in page.text
    await icb.aclose()


async def test_the_api_reroutes_with_a_reason_and_returns_the_updated_case(app):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id(), "plan_contents", ["F"]))
    icb = await client_as(app, "health_commissioner")
    la = await client_as(app, "la_coordinator")
    headers = {"x-csrftoken": la.cookies.get("csrftoken")}
    response = await la.post(
        f"/api/v1/cases/{reference}/reroute",
        json={"sections": ["C", "G"], "reason": "Only health remains"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["arranged_by"] == "health_commissioner"
    assert body["parties"] == ["health_commissioner"]
    assert any(c["rule"] == "notify_health_commissioner" and c["status"] == "running" for c in body["clocks"])
    assert reference in {c["reference"] for c in (await icb.get("/api/v1/cases")).json()}
    bad = await la.post(
        f"/api/v1/cases/{reference}/reroute", json={"sections": ["Q"], "reason": "x"}, headers=headers
    )
    assert bad.status_code == 422
    assert "Q" in bad.json()["detail"]
    for c in (family, icb, la):
        await c.aclose()
