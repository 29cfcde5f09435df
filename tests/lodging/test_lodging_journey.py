"""The family's journey from start to confirmation, and where each disagreement lands."""

import datetime as dt

import pytest

from mediation import timekeeping
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.clocks.tables import StatutoryClock
from mediation.notify.tables import Notification
from tests.conftest import client_as
from tests.lodging.helpers import PDF, answer, la_id, lodge, standard_answers, start_draft

pytestmark = pytest.mark.anyio

# statute.md section 2, each routing row as a family would lodge it:
# (decision, sections, arranged_by, scope, ICB is a party, running clocks after lodging with mediation wanted)
ROUTING_ROWS = [
    (
        "refuse_assessment",
        [],
        "local_authority",
        "education",
        False,
        {"contact_mediation_adviser", "appeal", "mediation_held_by_la"},
    ),
    (
        "plan_contents",
        ["B", "F"],
        "local_authority",
        "education",
        False,
        {"contact_mediation_adviser", "appeal", "mediation_held_by_la"},
    ),
    ("plan_contents", ["I"], "local_authority", "education", False, {"appeal", "mediation_held_by_la"}),
    (
        "plan_contents",
        ["F", "H2"],
        "local_authority",
        "education,social_care",
        False,
        {"contact_mediation_adviser", "appeal", "mediation_held_by_la"},
    ),
    (
        "plan_contents",
        ["F", "G"],
        "local_authority",
        "education,health",
        True,
        {"contact_mediation_adviser", "appeal", "mediation_held_by_la"},
    ),
    ("plan_contents", ["C", "G"], "health_commissioner", "health", True, {"notify_health_commissioner"}),
    ("plan_contents", ["D", "H1"], "local_authority", "social_care", False, {"mediation_held_by_la"}),
    ("disability_discrimination", [], None, "education", False, {"discrimination_claim"}),
]


@pytest.mark.parametrize(
    ("decision", "sections", "arranged_by", "scope", "icb_party", "clocks"), ROUTING_ROWS
)
async def test_each_routing_row_lodged_through_the_journey_lands_with_the_right_body(
    app, decision, sections, arranged_by, scope, icb_party, clocks
):
    family = await client_as(app, "family")
    _, reference = await lodge(family, standard_answers(await la_id(), decision, sections))
    case = await Disagreement.select().where(Disagreement.reference == reference).first()
    assert case["arranged_by"] == arranged_by
    assert case["scope"] == scope
    assert (case["icb"] is not None) is icb_party
    running = await StatutoryClock.select(StatutoryClock.rule).where(
        (StatutoryClock.disagreement == case["id"]) & (StatutoryClock.status == "running")
    )
    assert {c["rule"] for c in running} == clocks

    la = await client_as(app, "la_coordinator")
    icb = await client_as(app, "health_commissioner")
    # Each queue lists what its body may see (a case with nothing due to a body sorts last, so beyond the
    # first page of a shared test database): the queue's own filter, by state, finds it.
    in_la_queue = reference in {
        c["reference"] for c in (await la.get("/api/v1/cases?limit=200&state=" + case["state"])).json()
    }
    in_icb_queue = reference in {
        c["reference"] for c in (await icb.get("/api/v1/cases?limit=200&state=" + case["state"])).json()
    }
    assert (
        in_la_queue
    )  # the LA sees every case about its decisions, including health-only ones it must pass on
    assert in_icb_queue is icb_party
    assert ((await icb.get(f"/cases/{reference}")).status_code == 200) is icb_party
    for c in (family, la, icb):
        await c.aclose()


async def test_confirmation_shows_who_handles_it_and_the_key_dates_and_queues_an_email(app):
    family = await client_as(app, "family")
    # Lodged while both time limits still run: once they have passed, the page rightly says otherwise.
    with timekeeping.use_clock(dt.date(2026, 11, 20)):
        draft, reference = await lodge(family, standard_answers(await la_id(), "plan_contents", ["F", "G"]))
        page = (await family.get(f"/lodge/{draft}/confirmation")).text
    assert "We have your disagreement" in page
    # Who handles it, in sentences naming the council and the ICB, not legal bullets.
    who = page[page.index("Who handles your disagreement") : page.index("Your dates")]
    assert "Milton Keynes City Council arranges your mediation." in who
    assert "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board takes part too" in who
    assert "CFA" not in who and "<li>" not in who
    # Notice sent Mon 2 Nov 2026: two months on is Sat 2 Jan 2027 (r.12(3)(a) moves the appeal to Mon 4 Jan).
    assert "Contact the mediation adviser by Saturday 2 January 2027." in page
    assert 'Appeal to the tribunal</h3>\n    <p class="govuk-body">By Monday 4 January 2027' in page
    message = await Notification.select().where(Notification.dedupe_key == f"lodged:{reference}").first()
    assert message["channel"] == "email"
    assert message["recipient_email"] == "family@example.com"
    assert reference in message["subject"]
    assert "Ada" not in message["subject"]
    assert "Saturday 2 January 2027" in message["body_text"]
    # The email in the family's words: the bodies named, the family's own dates first, no citations.
    assert "Milton Keynes City Council arranges your mediation." in message["body_text"]
    assert "Your dates:\n- Contact a mediation adviser: by Saturday 2 January 2027\n" in message["body_text"]
    assert "must act" not in message["body_text"] and "CFA" not in message["body_text"]
    await family.aclose()


async def test_a_family_without_email_gets_a_letter_queued(app):
    family = await client_as(app, "family")
    steps = standard_answers(await la_id())
    steps[-1] = ("contact", {"contact_by": "post", "postal_address": "1 Test Road\nMilton Keynes\nMK9 1AA"})
    _, reference = await lodge(family, steps)
    message = await Notification.select().where(Notification.dedupe_key == f"lodged:{reference}").first()
    assert message["channel"] == "letter"
    assert "MK9 1AA" in message["postal_address"]
    await family.aclose()


async def test_a_draft_survives_sign_out_and_shows_the_date_to_act_by(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    for step, data in standard_answers(await la_id())[:3]:
        assert (await answer(family, draft, step, data)).status_code == 303
    await family.post("/sign-out", data={"_csrf_token": family.cookies.get("csrftoken")})
    await family.aclose()

    again = await client_as(app, "family")
    home = (await again.get("/home")).text
    assert "Ada Lovelace" in home
    assert "Contact a mediation adviser by <strong>Saturday 2 January 2027</strong>" in home
    child_page = (await again.get(f"/lodge/{draft}/child")).text
    assert 'value="Ada Lovelace"' in child_page
    await again.aclose()


async def test_another_family_cannot_open_or_answer_someone_elses_draft(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    await answer(family, draft, "who", {"lodged_by": "parent_carer"})
    other = await client_as(app, "other_family")
    assert (await other.get(f"/lodge/{draft}/who")).status_code == 404
    response = await other.post(
        f"/lodge/{draft}/who", data={"lodged_by": "advocate", "_csrf_token": other.cookies.get("csrftoken")}
    )
    assert response.status_code == 404
    assert (await family.get(f"/lodge/{draft}/who")).status_code == 200
    for c in (family, other):
        await c.aclose()


async def test_an_uploaded_decision_letter_travels_with_the_case(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    steps = standard_answers(await la_id())
    for step, data in steps:
        files = (
            {"decision_letter": ("decision letter.pdf", PDF, "application/pdf")}
            if step == "decision"
            else None
        )
        assert (await answer(family, draft, step, data, files)).status_code == 303
    assert (await answer(family, draft, "check", {})).status_code == 303
    doc = (
        await CaseDocument.select(CaseDocument.id, CaseDocument.disagreement)
        .where(CaseDocument.draft_id == draft)
        .first()
    )
    case = (
        await Disagreement.select(Disagreement.reference)
        .where(Disagreement.id == doc["disagreement"])
        .first()
    )
    la = await client_as(app, "la_coordinator")
    assert "decision letter.pdf" in (await la.get(f"/cases/{case['reference']}")).text
    download = await la.get(f"/cases/{case['reference']}/documents/{doc['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    for c in (family, la):
        await c.aclose()


async def test_a_submitted_draft_cannot_be_sent_twice(app):
    family = await client_as(app, "family")
    draft, reference = await lodge(family, standard_answers(await la_id()))
    again = await answer(family, draft, "check", {})
    assert again.status_code == 303
    assert again.headers["location"] == f"/lodge/{draft}/confirmation"
    assert await Disagreement.count().where(Disagreement.reference == reference) == 1
    await family.aclose()


async def test_staff_cannot_lodge_for_a_family(app):
    la = await client_as(app, "la_coordinator")
    assert (await la.get("/lodge")).status_code == 403
    await la.aclose()


async def test_a_change_from_the_check_page_asks_any_question_it_opens_before_returning(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    for step, data in standard_answers(await la_id(), "plan_contents", ["F"]):
        assert (await answer(family, draft, step, data)).status_code == 303
    response = await answer(family, draft, "sections", {"sections": ["F", "G"], "return_to": "check"})
    assert response.headers["location"] == f"/lodge/{draft}/details?return_to=check"
    details = {
        "F-disagree": "x",
        "F-wanted": "y",
        "G-disagree": "z",
        "G-wanted": "w",
        "health_provision": "Physio",
        "return_to": "check",
    }
    response = await answer(family, draft, "details", details)
    assert response.headers["location"] == f"/lodge/{draft}/check"
    await family.aclose()


async def test_continue_on_the_home_page_opens_the_first_unanswered_question(app):
    family = await client_as(app, "other_family")
    draft = await start_draft(family)
    await answer(family, draft, "who", {"lodged_by": "parent_carer"})
    home = (await family.get("/home")).text
    assert f'href="/lodge/{draft}/child"' in home
    await family.aclose()
