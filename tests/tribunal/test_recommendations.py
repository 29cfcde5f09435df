"""Health and social care recommendations reach only the body they address."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.audit.tables import AuditEvent
from mediation.clocks.tables import StatutoryClock
from mediation.errors import Refused
from mediation.tribunal.checks import TribunalInputError
from mediation.tribunal.duties import record_action, record_recommendation
from mediation.tribunal.schemas import ActionInput, RecommendationInput
from mediation.tribunal.service import compliance
from tests.confirmations import confirmation_after
from tests.conftest import client_as, sign_in
from tests.tribunal.helpers import appealed_case, case_row, clocks, duties, org_id, other_bodies, person

pytestmark = pytest.mark.anyio
D = dt.date
# Received Thu 30 Jul 2026: 5 weeks is Thu 3 Sep 2026 (a duty on the body, so August counts).
HEALTH = RecommendationInput(
    body="health",
    sections=["G"],
    details="Termly OT review.",
    made_on=D(2026, 7, 28),
    received_on=D(2026, 7, 30),
)
SOCIAL = RecommendationInput(
    body="social_care",
    sections=["H2"],
    details="Short breaks.",
    made_on=D(2026, 7, 28),
    received_on=D(2026, 7, 30),
)


async def _client(app, email: str):
    client = await client_as(app, "anonymous")
    await sign_in(client, email)
    return client


async def test_a_health_recommendation_brings_in_the_linked_icb_and_starts_its_clock(app):
    case = await appealed_case("Health rec", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    assert case.icb_id is None  # sections B and F only: the ICB was not a party
    after = await record_recommendation(case, HEALTH, actor=await person("la_coordinator"))
    icb = await org_id("QHG")
    assert after.icb_id == icb and (await case_row(case.id))["icb"] == icb
    clock = (await clocks(case.id))["recommendation_response"]
    assert (clock["due"], clock["actor"], clock["status"]) == (
        D(2026, 9, 3),
        "health_commissioner",
        "running",
    )
    [duty] = await duties(case.id)
    assert (duty["owed_by"], duty["kind"], duty["made_on"], duty["sent_on"]) == (
        icb,
        "recommendation",
        D(2026, 7, 28),
        D(2026, 7, 30),
    )
    added = await AuditEvent.exists().where(
        (AuditEvent.disagreement_id == case.id) & (AuditEvent.action == "add_party")
    )
    assert added
    owed = await compliance(await person("health_commissioner"))
    assert duty["id"] in {d.id for d in owed.duties}
    assert duty["id"] not in {d.id for d in (await compliance(await person("la_coordinator"))).duties}


async def test_a_social_care_recommendation_is_owed_by_the_la_and_hidden_from_the_icb(app):
    case = await appealed_case(
        "Social rec", notice=D(2026, 5, 1), lodged=D(2026, 6, 1), sections=("B", "F", "G")
    )
    await record_recommendation(case, SOCIAL, actor=await person("la_coordinator"))
    [duty] = await duties(case.id)
    assert duty["owed_by"] == case.local_authority_id
    assert (await clocks(case.id))["recommendation_response"]["actor"] == "local_authority"
    assert duty["id"] in {d.id for d in (await compliance(await person("la_coordinator"))).duties}
    icb = await client_as(app, "health_commissioner")
    tracker = await icb.get(f"/api/v1/cases/{case.reference}/tribunal")
    assert tracker.status_code == 200 and tracker.json()["obligations"] == []
    assert (await icb.get(f"/cases/{case.reference}/tribunal/duties/{duty['id']}")).status_code == 404
    assert "Short breaks" not in (await icb.get(f"/cases/{case.reference}/tribunal")).text
    await icb.aclose()


async def test_two_recommendations_run_side_by_side_and_each_body_answers_only_its_own(app):
    case = await appealed_case(
        "Both recs", notice=D(2026, 5, 1), lodged=D(2026, 6, 1), sections=("B", "F", "G")
    )
    await record_recommendation(case, HEALTH, actor=await person("la_coordinator"))
    await record_recommendation(case, SOCIAL, actor=await person("la_coordinator"))
    health, social = await duties(case.id)
    icb = await client_as(app, "health_commissioner")
    la = await client_as(app, "la_coordinator")
    assert (await la.get(f"/cases/{case.reference}/tribunal/duties/{health['id']}")).status_code == 404
    page = await icb.get(f"/cases/{case.reference}/tribunal/duties/{health['id']}")
    assert page.status_code == 200 and "Thursday 3 September 2026" in page.text
    done = await icb.post(
        f"/cases/{case.reference}/tribunal/duties/{health['id']}",
        data={"action": "response_sent", "done_on-day": "1", "done_on-month": "9", "done_on-year": "2026",
              "_csrf_token": icb.cookies.get("csrftoken")},
    )  # fmt: skip
    assert done.status_code == 303
    assert await confirmation_after(icb, done) == "What was done about the duty recorded"
    statuses = {d["owed_by"]: d["status"] for d in await duties(case.id)}
    assert statuses == {health["owed_by"]: "met", social["owed_by"]: "open"}
    rows = await StatutoryClock.select(StatutoryClock.actor, StatutoryClock.status).where(
        (StatutoryClock.disagreement == case.id) & (StatutoryClock.rule == "recommendation_response")
    )
    assert sorted((r["actor"], r["status"]) for r in rows) == [
        ("health_commissioner", "met"),
        ("local_authority", "running"),
    ]
    for c in (icb, la):
        await c.aclose()


async def test_the_icb_answering_its_recommendation_stops_its_own_clock_not_the_la_s(app):
    # The LA's recommendation is recorded first, so its clock comes first among the two of the same rule.
    case = await appealed_case(
        "Recs other order", notice=D(2026, 5, 1), lodged=D(2026, 6, 1), sections=("B", "F", "G")
    )
    la = await person("la_coordinator")
    await record_recommendation(case, SOCIAL, actor=la)
    case = await record_recommendation(case, HEALTH, actor=la)
    health = next(d for d in await duties(case.id) if d["owed_by"] == case.icb_id)
    case = await record_action(
        case,
        health,
        ActionInput(action="response_sent", done_on=D(2026, 9, 1)),
        actor=await person("health_commissioner"),
    )
    owners = {c.actor: c.stored_status for c in case.clocks if c.rule == "recommendation_response"}
    assert owners == {"health_commissioner": "met", "local_authority": "running"}
    assert {d["owed_by"]: d["status"] for d in await duties(case.id)} == {
        case.icb_id: "met",
        case.local_authority_id: "open",
    }


async def test_another_icb_and_another_la_cannot_see_the_recommendation(app):
    emails = await other_bodies()
    case = await appealed_case("Private rec", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    await record_recommendation(case, HEALTH, actor=await person("la_coordinator"))
    await record_recommendation(case, SOCIAL, actor=await person("la_coordinator"))
    for email in emails.values():
        client = await _client(app, email)
        assert (await client.get(f"/cases/{case.reference}/tribunal")).status_code == 404
        assert (await client.get(f"/api/v1/cases/{case.reference}/tribunal")).status_code == 404
        owed = (await client.get("/api/v1/tribunal/compliance")).json()
        assert case.reference not in {d["reference"] for d in owed["duties"]}
        for duty in await duties(case.id):
            assert (
                await client.get(f"/cases/{case.reference}/tribunal/duties/{duty['id']}")
            ).status_code == 404
        await client.aclose()


async def test_a_recommendation_is_refused_on_an_appeal_that_cannot_carry_one(app):
    case = await appealed_case(
        "No recs", decision="refuse_assessment", notice=D(2026, 5, 1), lodged=D(2026, 6, 1)
    )
    with pytest.raises(TribunalInputError) as refused:
        await record_recommendation(case, HEALTH, actor=await person("la_coordinator"))
    assert "cannot make health or social care recommendations" in refused.value.errors["body"]
    wrong = RecommendationInput(body="health", sections=["D"], details="x", made_on=D(2026, 7, 1))
    case = await appealed_case("Wrong section", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    with pytest.raises(TribunalInputError) as refused:
        await record_recommendation(case, wrong, actor=await person("la_coordinator"))
    assert "(C, G)" in refused.value.errors["sections"]


async def test_only_the_la_records_a_recommendation(app):
    # Issue "One case model": the LA records what the tribunal recommended; the family is refused.
    case = await appealed_case("Family rec", notice=D(2026, 5, 1), lodged=D(2026, 6, 1))
    with pytest.raises(Refused):
        await record_recommendation(case, HEALTH, actor=await person("family"))
    assert await duties(case.id) == [] and (await case_row(case.id))["icb"] is None
    family = await client_as(app, "family")
    assert (await family.get(f"/cases/{case.reference}/tribunal/recommendations")).status_code == 403
    await family.aclose()
