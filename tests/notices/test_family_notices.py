"""The family sees notices sent to its email address, and "I disagree" starts lodging from one."""

import re
import uuid

import pytest

from mediation.accounts.service import NewAccount, create_account
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.lodging.tables import LodgingDraft
from mediation.notices.tables import DecisionNotice
from tests.conftest import DEMO_PASSWORD, client_as, sign_in
from tests.lodging.helpers import answer
from tests.notices.helpers import (
    PDF,
    demo_la,
    form,
    issue,
    notice_input,
    post_form,
    reference_from,
    second_la_with_coordinator,
)

pytestmark = pytest.mark.anyio


async def _issue_to(app, email: str, **overrides) -> tuple[str, dict]:
    """Issue through the form as the demo coordinator, sent today (so the family can lodge from it)."""
    coordinator = await client_as(app, "la_coordinator")
    values = form(family_email=email, **overrides)
    reference = reference_from(await post_form(coordinator, values))
    await coordinator.aclose()
    return reference, values


async def test_the_family_sees_a_notice_sent_to_its_email_on_its_home_page(app):
    reference, values = await _issue_to(app, "family@example.com")
    family = await client_as(app, "family")
    home = await family.get("/home")
    assert f'href="/notices/{reference}"' in home.text
    assert f"Final EHC plan issued: {values['child_name']}" in home.text
    page = await family.get(f"/notices/{reference}")
    assert page.status_code == 200
    assert "I disagree" in page.text
    assert "What this letter means for you" in page.text
    assert re.search(r"Contact a mediation adviser</h3>\s*<p class=\"govuk-body\">By \w+day ", page.text)
    assert "The law behind this date" in page.text
    assert "advice@independent-mediation.example" in page.text
    assert "Delivery" not in page.text  # the LA's delivery details are not the family's business
    assert (await family.get(f"/notices/{reference}/files/plan")).content == PDF
    listed = await family.get("/api/v1/notices")
    assert reference in [n["reference"] for n in listed.json()]
    await family.aclose()


async def test_a_family_registering_later_with_that_email_sees_the_notice(app):
    email = f"New.Parent.{uuid.uuid4().hex[:8]}@Example.com"  # typed with capitals by the LA
    reference, _ = await _issue_to(app, email)
    await create_account(
        NewAccount(email=email.lower(), full_name="New Parent", role="family", password=DEMO_PASSWORD,
                   family_relationship="parent_carer", email_confirmed=True),
        actor=None,
    )  # fmt: skip
    family = await client_as(app, "anonymous")
    await sign_in(family, email.lower())
    home = await family.get("/home")
    assert f'href="/notices/{reference}"' in home.text
    assert (await family.get(f"/notices/{reference}")).status_code == 200
    await family.aclose()


async def test_i_disagree_opens_the_lodging_journey_prefilled_from_the_notice(app):
    reference, values = await _issue_to(app, "family@example.com", sections=["B", "F", "G"])
    notice = await DecisionNotice.select().where(DecisionNotice.reference == reference).first()
    family = await client_as(app, "family")
    token = family.cookies.get("csrftoken")
    response = await family.post(f"/notices/{reference}/disagree", data={"_csrf_token": token})
    assert response.status_code == 303
    draft_id = int(response.headers["location"].split("/")[2])
    assert response.headers["location"] == f"/lodge/{draft_id}/who"  # the first question still to answer
    draft = await LodgingDraft.select().where(LodgingDraft.id == draft_id).output(load_json=True).first()
    sent = notice["sent_on"]
    expected = {
        "child_name": values["child_name"],
        "dob-day": "14",
        "dob-month": "6",
        "dob-year": "2015",
        "local_authority": str(await demo_la()),
        "decision": "plan_contents",
        "notice-day": str(sent.day),
        "notice-month": str(sent.month),
        "notice-year": str(sent.year),
        "from_notice": reference,
    }
    # The sections the plan covers are not ticked as disputed: the family chooses them (issue 11: a
    # pre-ticked G silently routed the case as mixed).
    assert draft["answers"] == expected
    copied = await CaseDocument.select().where(CaseDocument.draft_id == draft_id).first()
    assert bytes(copied["content"]) == PDF and copied["kind"] == "decision_letter"
    again = await family.post(f"/notices/{reference}/disagree", data={"_csrf_token": token})
    assert again.headers["location"] == f"/lodge/{draft_id}/who"  # the same draft, not a second one
    # The rest of the journey; the case's clocks start from the date the notice was sent.
    await answer(family, draft_id, "who", {"lodged_by": "parent_carer"})
    assert (await family.get(f"/lodge/{draft_id}/child")).status_code == 200
    details = {f"{s}-{p}": f"Section {s} {p}" for s in ("B", "F", "G") for p in ("disagree", "wanted")}
    details["health_provision"] = "Weekly physiotherapy"
    for step, data in [
        ("sections", {"sections": ["B", "F", "G"]}),
        ("details", details),
        ("mediation", {"wants_mediation": "yes"}),
        ("access", {}),
        ("contact", {"contact_by": "email", "contact_email": "family@example.com"}),
        ("check", {}),
    ]:
        reply = await answer(family, draft_id, step, data)
        assert reply.status_code == 303, (step, reply.text[-2000:])
    submitted = await LodgingDraft.select(LodgingDraft.reference).where(LodgingDraft.id == draft_id).first()
    case = await Disagreement.select().where(Disagreement.reference == submitted["reference"]).first()
    assert case["decision_notice_sent"] == sent
    clock = (
        await StatutoryClock.select()
        .where((StatutoryClock.disagreement == case["id"]) & (StatutoryClock.rule == "appeal"))
        .first()
    )
    assert clock["started_on"] == sent and clock["due"] == notice["appeal_by"]
    await family.aclose()


@pytest.mark.parametrize("role", ["other_family", "health_commissioner", "mediator", "admin"])
async def test_a_notice_is_invisible_to_everyone_but_its_family_and_its_la(app, role):
    reference = await issue(notice_input(email="family@example.com"))
    client = await client_as(app, role)
    expected = 404 if role == "other_family" else 403
    assert (await client.get(f"/notices/{reference}")).status_code == expected
    assert (await client.get(f"/notices/{reference}/files/notice")).status_code == expected
    assert (await client.get(f"/api/v1/notices/{reference}")).status_code == expected
    home = await client.get("/home")
    assert reference not in home.text
    await client.aclose()


async def test_a_coordinator_of_another_la_cannot_see_the_notice(app):
    reference = await issue(notice_input(email="family@example.com"))
    client = await client_as(app, "anonymous")
    await second_la_with_coordinator(client)
    assert (await client.get(f"/notices/{reference}")).status_code == 404
    assert (await client.get(f"/notices/{reference}/files/plan")).status_code == 404
    assert (await client.get(f"/api/v1/notices/{reference}")).status_code == 404
    assert reference not in (await client.get("/notices")).text
    assert reference not in (await client.get("/api/v1/notices")).text
    await client.aclose()


async def test_the_la_cannot_start_a_disagreement_for_the_family(app):
    reference = await issue(notice_input(email="family@example.com"))
    client = await client_as(app, "la_coordinator")
    response = await client.post(
        f"/notices/{reference}/disagree", data={"_csrf_token": client.cookies.get("csrftoken")}
    )
    assert response.status_code == 403
    await client.aclose()
