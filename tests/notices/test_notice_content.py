"""What each notice says: the decision, the certificate rule, the ICB's role and every date with its rule."""

import datetime as dt

import pytest

from mediation.notices.service import IssueError, PlanFile, issue_notice
from mediation.notices.tables import DecisionNotice
from mediation.organisations.service import create_organisation, save_contacts
from tests.notices.helpers import ICB_NAME, PDF, SENT, demo_la, issue, notice_input

pytestmark = pytest.mark.anyio

CERTIFICATE_NEEDED = "Before you can appeal to the tribunal you must get a mediation certificate"
DECISION_SENTENCES = [
    (
        "refuse_assessment",
        None,
        "decided not to carry out an education, health and care (EHC) needs assessment",
    ),
    ("refuse_plan", None, "decided not to issue an education, health and care (EHC) plan"),
    ("plan_contents", "final", "issued the final education, health and care (EHC) plan"),
    ("plan_contents", "amended", "issued the amended education, health and care (EHC) plan after a review"),
    ("refuse_reassessment", None, "decided not to carry out a re-assessment"),
    ("refuse_amendment", None, "decided not to amend the education, health and care (EHC) plan"),
    (
        "cease_to_maintain",
        None,
        "decided to stop maintaining (cease) the education, health and care (EHC) plan",
    ),
]


async def _notice(reference: str) -> dict:
    return (
        await DecisionNotice.select()
        .where(DecisionNotice.reference == reference)
        .output(load_json=True)
        .first()
    )


@pytest.mark.parametrize(("decision", "plan_kind", "sentence"), DECISION_SENTENCES)
async def test_each_decision_type_says_what_was_decided_with_both_dates_and_their_rules(
    app, decision, plan_kind, sentence
):
    row = await _notice(await issue(notice_input(decision, plan_kind=plan_kind)))
    text = row["body_text"]
    assert sentence in text
    assert "This notice was sent on Wednesday 10 March 2027" in text
    # statute.md section 4: notice sent Wed 10 Mar 2027 -> adviser and appeal both Mon 10 May 2027.
    assert row["contact_adviser_by"] == dt.date(2027, 5, 10)
    assert row["appeal_by"] == dt.date(2027, 5, 10)
    assert "Monday 10 May 2027: the last day to contact the mediation adviser" in text
    assert "Monday 10 May 2027: the last day to appeal" in text
    assert "SEND Regulations 2014 reg 33" in text
    assert "HESC Chamber) Rules 2008 r.20(1)(c)" in text
    assert CERTIFICATE_NEEDED in text
    for reg32 in ("sections 53 and 54", "reg 32(e)", "reg 32(f)", "does not affect your right to appeal"):
        assert reg32 in text
    assert [d["rule"] for d in row["deadlines"]] == ["contact_mediation_adviser", "appeal"]
    assert all(d["citation"] and d["explanation"] for d in row["deadlines"])


async def test_a_plan_issuing_section_i_only_says_no_certificate_is_needed_and_why(app):
    text = (await _notice(await issue(notice_input(sections=["I"], plan_kind="amended"))))["body_text"]
    assert "You do not need a mediation certificate to appeal" in text
    assert (
        "an appeal only about section I does not need one (Children and Families Act 2014 section 55)" in text
    )
    assert CERTIFICATE_NEEDED not in text
    assert "You can still choose mediation" in text


async def test_a_plan_with_b_f_and_i_needs_a_certificate_except_for_an_appeal_about_section_i_alone(app):
    text = (await _notice(await issue(notice_input(sections=["B", "F", "I"]))))["body_text"]
    assert CERTIFICATE_NEEDED in text
    assert "If your appeal will be only about section I" in text


async def test_a_plan_with_b_and_f_and_no_section_i_does_not_mention_the_section_i_exception(app):
    text = (await _notice(await issue(notice_input(sections=["B", "F"]))))["body_text"]
    assert CERTIFICATE_NEEDED in text
    assert "only about section I" not in text


async def test_health_provision_brings_in_the_icb_with_its_role_and_contact_details(app):
    text = (await _notice(await issue(notice_input(sections=["B", "F", "G"]))))["body_text"]
    assert f"{ICB_NAME} (the integrated care board, or ICB) is responsible" in text
    assert "the ICB will take part in the mediation we arrange" in text
    assert "dco@blmk-icb.example" in text
    assert "the health care provision you want the plan to specify" in text


async def test_an_education_only_plan_does_not_mention_the_icb(app):
    text = (await _notice(await issue(notice_input(sections=["B", "F"]))))["body_text"]
    assert "integrated care board" not in text
    assert ICB_NAME not in text


async def test_a_health_only_plan_says_no_appeal_lies_and_the_icb_arranges_mediation(app):
    row = await _notice(await issue(notice_input(sections=["C", "G"])))
    assert row["appeal_by"] is None
    assert [d["rule"] for d in row["deadlines"]] == ["contact_mediation_adviser"]
    text = row["body_text"]
    assert "there is no right of appeal to the tribunal about them on their own" in text
    assert "the ICB will arrange the mediation" in text
    assert "last day to appeal" not in text


async def test_a_section_i_notice_sent_in_june_moves_the_appeal_out_of_august(app):
    # statute.md section 4: notice sent 30 Jun 2027, section I only -> appeal Wed 1 Sep 2027.
    row = await _notice(await issue(notice_input(sections=["I"]), sent_on=dt.date(2027, 6, 30)))
    assert row["appeal_by"] == dt.date(2027, 9, 1)
    assert "Wednesday 1 September 2027: the last day to appeal" in row["body_text"]
    assert "falls in August" in row["body_text"]


async def test_every_contact_comes_from_the_local_authority_record(app):
    from mediation.organisations.service import get_organisation

    la = await get_organisation(await demo_la())
    emails = {c.purpose: c.email for c in la.contacts}
    text = (await _notice(await issue(notice_input("refuse_assessment"))))["body_text"]
    # The mediation adviser (reg 32(c)), SENDIASS (reg 5(3)(d)(ii)), disagreement resolution (CFA s.57) and
    # the person acting for the LA (reg 32(f)).
    for purpose in ("mediation_adviser", "sendiass", "disagreement_resolution", "send_team"):
        assert emails[purpose] and emails[purpose] in text, purpose


async def test_an_la_without_a_mediation_adviser_on_record_cannot_issue_a_notice(app):
    la = await create_organisation(name="Adviserless Council", kind="local_authority", code="E09999901")
    await save_contacts(
        la, {"send_team": {"name": "SEND Team", "email": "send@adviserless.example"}}, actor=None
    )
    with pytest.raises(IssueError) as raised:
        await issue_notice(
            notice_input(), la_id=la, actor=None, dedupe_key="test:adviserless", plan=PlanFile("p.pdf", PDF),
            sent_on=SENT,
        )  # fmt: skip
    assert "mediation adviser's contact details (SEND Regulations 2014 reg 32(c))" in str(raised.value)
    assert not await DecisionNotice.exists().where(DecisionNotice.dedupe_key == "test:adviserless")


async def test_the_same_dedupe_key_issues_one_notice_however_often_it_is_tried(app):
    notice = notice_input()
    first = await issue_notice(
        notice,
        la_id=await demo_la(),
        actor=None,
        dedupe_key="test:once",
        plan=PlanFile("p.pdf", PDF),
        sent_on=SENT,
    )
    again = await issue_notice(
        notice,
        la_id=await demo_la(),
        actor=None,
        dedupe_key="test:once",
        plan=PlanFile("p.pdf", PDF),
        sent_on=SENT,
    )
    assert first == (first[0], True)
    assert again == (first[0], False)


async def test_two_identical_submissions_at_the_same_moment_issue_one_notice(app):
    import asyncio

    notice = notice_input()
    la = await demo_la()
    results = await asyncio.gather(
        *[
            issue_notice(notice, la_id=la, actor=None, dedupe_key="test:at-once", plan=PlanFile("p.pdf", PDF),
                         sent_on=SENT)
            for _ in range(2)
        ]
    )  # fmt: skip
    assert results[0][0] == results[1][0]
    assert sorted(created for _, created in results) == [False, True]
    assert await DecisionNotice.count().where(DecisionNotice.dedupe_key == "test:at-once") == 1
