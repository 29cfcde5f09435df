"""Bad input on every question: a GOV.UK error summary naming the problem, and nothing typed is lost."""

import json

import pytest

from tests.conftest import client_as
from tests.lodging.helpers import PDF, answer, la_id, standard_answers, start_draft

pytestmark = pytest.mark.anyio

GOOD = {
    "who": {"lodged_by": "parent_carer"},
    "child": {"child_name": "Ada Lovelace", "dob-day": "10", "dob-month": "12", "dob-year": "2015"},
    "decision": {"decision": "plan_contents", "notice-day": "2", "notice-month": "11", "notice-year": "2026"},
}

# (step, answers sent, field the error links to, message shown, a value that must still be on the page)
CASES = [
    ("who", {}, "lodged_by", "Select who is telling us about the disagreement", None),
    (
        "who",
        {"lodged_by": "advocate", "represented_person": ""},
        "represented_person",
        "Enter the name of the parent or young person you act for",
        None,
    ),
    (
        "who",
        {"lodged_by": "advocate", "represented_person": "Grace Hopper"},
        "advocate_consent",
        "Confirm that you have their consent to act for them",
        'value="Grace Hopper"',
    ),
    (
        "child",
        {"child_name": "", "dob-day": "1", "dob-month": "1", "dob-year": "2015"},
        "child_name",
        "Enter the full name of the child or young person",
        'value="2015"',
    ),
    (
        "child",
        {"child_name": "Ada", "dob-day": "31", "dob-month": "2", "dob-year": "2015"},
        "dob-day",
        "Their date of birth must be a real date",
        'value="Ada"',
    ),
    (
        "child",
        {"child_name": "Ada", "dob-day": "1", "dob-month": "", "dob-year": "2015"},
        "dob-day",
        "Their date of birth must include a month",
        None,
    ),
    (
        "child",
        {"child_name": "Ada", "dob-day": "1", "dob-month": "1", "dob-year": "3015"},
        "dob-day",
        "Their date of birth must be in the past",
        None,
    ),
    (
        "child",
        {"child_name": "Ada", "dob-day": "a", "dob-month": "1", "dob-year": "2015"},
        "dob-day",
        "Their date of birth must be a real date, for example 27 3 2026",
        'value="a"',
    ),
    (
        "child",
        {
            "child_name": "Ada",
            "dob-day": "1",
            "dob-month": "1",
            "dob-year": "2015",
            "local_authority": "99999",
        },
        "local_authority",
        "Select the local authority that made the decision",
        None,
    ),
    (
        "decision",
        {"notice-day": "2", "notice-month": "11", "notice-year": "2026"},
        "decision",
        "Select the decision you disagree with",
        'value="2026"',
    ),
    (
        "decision",
        {"decision": "plan_contents"},
        "notice-day",
        "Enter the date the decision notice was sent",
        None,
    ),
    (
        "decision",
        {"decision": "plan_contents", "notice-day": "2", "notice-month": "11", "notice-year": "2099"},
        "notice-day",
        "The date the decision notice was sent must be today or in the past",
        None,
    ),
    ("sections", {}, "sections", "Select at least one part of the plan you disagree with", None),
    ("sections", {"sections": ["Z"]}, "sections", "Unknown plan section Z", None),
    (
        "details",
        {"F-disagree": "Too little therapy", "F-wanted": ""},
        "F-wanted",
        "Section F: say what you want instead",
        "Too little therapy",
    ),
    ("mediation", {}, "wants_mediation", "Select yes if you want mediation", None),
    (
        "access",
        {"access": ["interpreter"], "interpreter_language": ""},
        "interpreter_language",
        "Enter the language you need an interpreter for",
        None,
    ),
    ("contact", {}, "contact_by", "Select how we should contact you", None),
    (
        "contact",
        {"contact_by": "email", "contact_email": "not-an-email"},
        "contact_email",
        "Enter an email address in the correct format, like name@example.com",
        'value="not-an-email"',
    ),
    (
        "contact",
        {"contact_by": "post", "postal_address": ""},
        "postal_address",
        "Enter your postal address, including the postcode",
        None,
    ),
]


async def _draft_at(client, step: str) -> int:
    """A draft answered correctly up to (not including) `step`."""
    draft = await start_draft(client)
    for name, data in standard_answers(await la_id(), "plan_contents", ["F"]):
        if name == step:
            break
        assert (await answer(client, draft, name, data)).status_code == 303
    return draft


@pytest.mark.parametrize(("step", "data", "field", "message", "kept"), CASES)
async def test_bad_answer_shows_a_specific_error_and_keeps_what_was_typed(
    app, step, data, field, message, kept
):
    family = await client_as(app, "family")
    draft = await _draft_at(family, step)
    if step == "child" and "local_authority" not in data:
        data = {**data, "local_authority": str(await la_id())}
    response = await answer(family, draft, step, data)
    assert response.status_code == 400
    text = response.text.replace("&#39;", "'")
    assert "There is a problem" in text
    assert f'href="#{field}"' in text
    assert message in text
    if kept:
        assert kept in text
    await family.aclose()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a program renamed to .pdf", "The selected file must be a PDF"),
        (b"", "The selected file is empty"),
        (b"%PDF-1.4\n" + b"0" * (8 * 1024 * 1024) + b"\n%%EOF", "smaller than 8 MB"),
    ],
)
async def test_an_upload_is_judged_by_its_content_not_its_name(app, content, message):
    family = await client_as(app, "family")
    draft = await _draft_at(family, "decision")
    files = {"decision_letter": ("letter.pdf", content, "application/pdf")}
    response = await answer(family, draft, "decision", GOOD["decision"], files)
    assert response.status_code == 400
    assert message in response.text
    assert 'value="2026"' in response.text  # the dates typed on the same page are kept
    await family.aclose()


async def test_a_real_pdf_is_accepted(app):
    family = await client_as(app, "family")
    draft = await _draft_at(family, "decision")
    files = {"decision_letter": ("letter.pdf", PDF, "application/pdf")}
    assert (await answer(family, draft, "decision", GOOD["decision"], files)).status_code == 303
    await family.aclose()


@pytest.mark.parametrize(
    ("lodged_by", "dob_year", "message"),
    [
        ("parent_carer", "1999", "The young person must have been 25 or under on the date of the decision"),
        ("young_person", "2015", "A young person lodging for themselves must have been 16 or over"),
    ],
)
async def test_age_on_the_decision_date_is_checked(app, lodged_by, dob_year, message):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    await answer(family, draft, "who", {"lodged_by": lodged_by})
    await answer(
        family, draft, "child", {**GOOD["child"], "dob-year": dob_year, "local_authority": str(await la_id())}
    )
    response = await answer(family, draft, "decision", GOOD["decision"])
    assert response.status_code == 400
    assert message in response.text
    await family.aclose()


async def test_check_page_lists_every_unanswered_question_and_sends_nothing(app):
    family = await client_as(app, "family")
    draft = await start_draft(family)
    response = await answer(family, draft, "check", {})
    assert response.status_code == 400
    text = response.text
    assert "Select who is telling us about the disagreement" in text
    assert "Enter the full name of the child or young person" in text
    assert f'href="/lodge/{draft}/who?return_to=check"' in text
    await family.aclose()


async def test_an_answer_saved_with_a_nul_before_the_edge_refused_it_sends_the_family_back_not_a_500(app):
    """A draft saved before control characters were refused at the edge still holds a NUL: sending it
    would fail to store the case (a 500 on PostgreSQL). The check page names the answer to change, keeps
    every other answer, and the corrected draft goes through."""
    from mediation.cases.tables import Disagreement
    from mediation.lodging.tables import LodgingDraft

    family = await client_as(app, "family")
    draft = await start_draft(family)
    for step, data in standard_answers(await la_id(), "plan_contents", ["B", "F"]):
        assert (await answer(family, draft, step, data)).status_code == 303
    row = await LodgingDraft.select(LodgingDraft.answers).where(LodgingDraft.id == draft).first()
    answers = row["answers"] if isinstance(row["answers"], dict) else json.loads(row["answers"])
    answers["F-disagree"] = "Speech therapy\x00 is missing"
    await LodgingDraft.update({LodgingDraft.answers: answers}).where(LodgingDraft.id == draft)

    refused = await answer(family, draft, "check", {})
    assert refused.status_code == 400, refused.text[-2000:]
    assert "contains a character that cannot be saved" in refused.text
    assert f'href="/lodge/{draft}/details' in refused.text
    assert not await Disagreement.exists().where(Disagreement.lodging_draft == draft)

    fixed = {"B-disagree": "The plan's section B is wrong", "B-wanted": "Section B put right"}
    fixed |= {"F-disagree": "Speech therapy is missing", "F-wanted": "Section F put right"}
    assert (await answer(family, draft, "details", fixed)).status_code == 303
    assert (await answer(family, draft, "check", {})).status_code == 303
    assert await Disagreement.exists().where(Disagreement.lodging_draft == draft)
    await family.aclose()
