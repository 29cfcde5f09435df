"""A coordinator issues a notice from the form: errors are specific, and nothing is ever issued twice."""

import pytest

from mediation.audit.tables import AuditEvent
from mediation.notices.tables import DecisionNotice
from mediation.notify.tables import Notification
from mediation.rules.deadlines import compute_deadline
from mediation.web.templating import day_date
from tests.conftest import client_as
from tests.notices.helpers import PDF, form, post_form, reference_from

pytestmark = pytest.mark.anyio


async def test_a_coordinator_issues_a_notice_and_its_dates_run_from_the_day_it_is_sent(app):
    client = await client_as(app, "la_coordinator")
    values = form()
    response = await post_form(client, values)
    assert response.status_code == 303, response.text[-3000:]
    reference = reference_from(response)
    row = await DecisionNotice.select().where(DecisionNotice.reference == reference).first()
    assert row["child_name"] == values["child_name"]
    assert row["sections"] == "B,F,I"
    assert (
        row["contact_adviser_by"]
        == compute_deadline("contact_mediation_adviser", {"start": row["sent_on"]}).due
    )
    assert row["appeal_by"] == compute_deadline("appeal", {"notice_sent": row["sent_on"]}).due
    page = await client.get(f"/notices/{reference}?issued=1")
    assert page.status_code == 200
    assert f"Notice {reference} issued" in page.text
    assert day_date(row["appeal_by"]) in page.text
    assert "Version 1 of Milton Keynes City Council&#39;s notice" in page.text
    listing = await client.get("/notices")
    assert reference in listing.text
    audit = await AuditEvent.select().where(
        (AuditEvent.entity == "decision_notice") & (AuditEvent.entity_id == reference)
    )
    assert [a["action"] for a in audit][:1] == ["issue_notice"]
    await client.aclose()


async def test_form_errors_are_specific_and_keep_what_was_typed(app):
    client = await client_as(app, "la_coordinator")
    values = form(
        issuing="", child_name="Typed Name", family_email="not an email", **{"decision-month": "13"}
    )
    response = await post_form(client, values, pdf=None)
    assert response.status_code == 400
    for message in (
        "Select what you are issuing",
        "The date of the decision must be a real date",
        "Enter an email address in the correct format, like name@example.com",
        "Select the plan or decision letter to send with the notice (a PDF)",
    ):
        assert message in response.text
    assert "Error: Issue a decision notice" in response.text
    assert 'value="Typed Name"' in response.text
    assert 'value="not an email"' in response.text
    assert 'href="#issuing"' in response.text
    await client.aclose()


async def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(app):
    client = await client_as(app, "la_coordinator")
    response = await post_form(client, form(), pdf=b"<html>not a plan</html>", filename="plan.pdf")
    assert response.status_code == 400
    assert "The selected file must be a PDF" in response.text
    await client.aclose()


async def test_plan_sections_are_refused_for_a_decision_that_is_not_a_plan(app):
    client = await client_as(app, "la_coordinator")
    response = await post_form(client, form(issuing="refuse_assessment"))
    assert response.status_code == 400
    assert "Only select plan sections when you are issuing a final or amended plan" in response.text
    await client.aclose()


async def test_a_notice_needs_an_email_or_a_postal_address(app):
    client = await client_as(app, "la_coordinator")
    response = await post_form(client, form(family_email="", postal_address=""))
    assert response.status_code == 400
    assert "Enter the family&#39;s email address or their postal address" in response.text
    await client.aclose()


async def test_submitting_the_same_form_twice_issues_one_notice_and_one_message(app):
    client = await client_as(app, "la_coordinator")
    values = form()
    first = reference_from(await post_form(client, values))
    second = reference_from(await post_form(client, values))
    assert first == second
    assert await DecisionNotice.count().where(DecisionNotice.child_name == values["child_name"]) == 1
    assert await Notification.count().where(Notification.dedupe_key == f"notice:{first}") == 1
    await client.aclose()


async def test_issuing_the_same_notice_again_needs_the_coordinator_to_confirm(app):
    client = await client_as(app, "la_coordinator")
    values = form()
    first = reference_from(await post_form(client, values))
    repeat = await post_form(client, {**values, "form_id": "a-new-form-submission-1234"})
    assert repeat.status_code == 400
    assert "already issued on" in repeat.text and first in repeat.text
    assert 'name="reissue"' in repeat.text
    confirmed = await post_form(client, {**values, "form_id": "a-new-form-submission-5678", "reissue": "yes"})
    assert reference_from(confirmed) != first
    await client.aclose()


async def test_a_notice_with_a_postal_address_only_is_queued_as_a_letter(app):
    client = await client_as(app, "la_coordinator")
    response = await post_form(
        client,
        form(issuing="refuse_plan", sections=[], family_email="", postal_address="2 Post Lane\nMK2 2BB"),
    )
    reference = reference_from(response)
    queued = await Notification.select(Notification.channel).where(
        Notification.dedupe_key == f"notice:{reference}"
    )
    assert queued == [{"channel": "letter"}]
    await client.aclose()


async def test_the_la_can_download_the_notice_pdf_and_the_plan_it_sent(app):
    client = await client_as(app, "la_coordinator")
    reference = reference_from(await post_form(client, form()))
    notice_pdf = await client.get(f"/notices/{reference}/files/notice")
    assert notice_pdf.status_code == 200
    assert notice_pdf.content.startswith(b"%PDF-")
    plan = await client.get(f"/notices/{reference}/files/plan")
    assert plan.content == PDF
    assert (await client.get(f"/notices/{reference}/files/other")).status_code == 404
    await client.aclose()


async def test_a_reference_another_notice_has_is_drawn_again_not_a_500(app, monkeypatch):
    """32 random bits: at national volumes a notice can draw a reference another has. The coordinator
    gets the notice issued under a fresh reference, printed in its letter and its message."""
    from mediation.notices import service

    client = await client_as(app, "la_coordinator")
    taken = reference_from(await post_form(client, form()))
    draws = iter([taken, taken, "DN-0000FACE"])
    monkeypatch.setattr(service, "new_reference", lambda: next(draws))
    values = form()
    response = await post_form(client, values)
    assert response.status_code == 303, response.text[-3000:]
    assert reference_from(response) == "DN-0000FACE"
    row = await DecisionNotice.select().where(DecisionNotice.reference == "DN-0000FACE").first()
    assert row["child_name"] == values["child_name"] and "DN-0000FACE" in row["body_html"]
    assert await DecisionNotice.count().where(DecisionNotice.reference == taken) == 1
    assert await Notification.count().where(Notification.dedupe_key == "notice:DN-0000FACE") == 1
    await client.aclose()
