"""A family tells us about a disagreement in real headless Chromium, and staff see the case arrive.

Driven the way a person uses the pages: by visible labels, roles and link text; GOV.UK markup (summary
list rows, the panel) is only reached for where it has no role of its own. Nothing sleeps: every step
waits on something the person would see.

The family journey signs in as family@example.com and submits, so it leaves no draft behind; the other
tests leave drafts, so they use other.family@example.com and keep that family's home page as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from mediation import timekeeping
from mediation.rules.deadlines import compute_deadline
from mediation.web.templating import day_date
from tests.browser.conftest import PageProblems

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-password-2026"
START_HEADING = "Resolve a disagreement about special educational needs (SEND)"
FAMILY = "family@example.com"
OTHER_FAMILY = "other.family@example.com"
LA_COORDINATOR = "coordinator@milton-keynes.example"
HEALTH_COMMISSIONER = "commissioner@blmk-icb.example"
LOCAL_AUTHORITY = "Milton Keynes City Council"
SECTION_F = "Section F: special educational provision"
SECTION_G = "Section G: health care provision"
# What the family reads for the same decision and sections (rules/wording.py).
FAMILY_PLAN_CONTENTS = "What your child's EHC plan says"
FAMILY_SECTION_F = "Section F: special educational help"
FAMILY_SECTION_G = "Section G: health care help"
REFERENCE = re.compile(r"^SM-[0-9A-F]{8}$")


def small_pdf() -> bytes:
    """A real one-page PDF (catalogue, page tree, page, cross-reference table), made here."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(pdf)


PDF = small_pdf()
PDF_NAME = "decision-letter.pdf"


def h1(page: Page, name: str) -> Locator:
    return page.get_by_role("heading", level=1, name=name, exact=True)


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/home")


def sign_out(page: Page, live_server: str) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(f"{live_server}/")
    expect(h1(page, START_HEADING)).to_be_visible()


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue", exact=True).click()


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(day)
    group.get_by_label("Month", exact=True).fill(month)
    group.get_by_label("Year", exact=True).fill(year)


def summary_value(page: Page, key: str) -> Locator:
    """The answer in the "Check your answers" row whose key is exactly `key`."""
    key_cell = page.get_by_role("term").filter(has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    return page.locator(".govuk-summary-list__row").filter(has=key_cell).get_by_role("definition").first


def start_a_disagreement(page: Page, live_server: str) -> int:
    """From the family's home page to the first question; returns the new draft's number."""
    expect(h1(page, "Your disagreements")).to_be_visible()
    page.get_by_role("link", name="Tell us about a disagreement", exact=True).click()
    expect(h1(page, "Tell us about a disagreement")).to_be_visible()
    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/lodge/\d+/who$"))
    match = re.search(r"/lodge/(\d+)/who$", page.url)
    assert match, page.url
    return int(match.group(1))


def answer_child(page: Page, name: str, day: str, month: str, year: str) -> None:
    expect(h1(page, "About the child or young person")).to_be_visible()
    page.get_by_label("Full name", exact=True).fill(name)
    fill_date(page, "Date of birth", day, month, year)
    page.get_by_label("Local authority that made the decision").select_option(label=LOCAL_AUTHORITY)
    save_and_continue(page)


def answer_decision(page: Page, notice: dt.date) -> None:
    expect(h1(page, "The decision you disagree with")).to_be_visible()
    page.get_by_role("radio", name=FAMILY_PLAN_CONTENTS, exact=True).check()
    fill_date(page, "Date the decision notice was sent", str(notice.day), str(notice.month), str(notice.year))
    page.get_by_label("Upload the decision letter or final plan (optional)").set_input_files(
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF}
    )
    save_and_continue(page)


def change(page: Page, what: str, heading: str) -> None:
    """Follow a "Change" link on the check page and wait for the question it leads to."""
    expect(h1(page, "Check your answers before you send them")).to_be_visible()
    page.get_by_role("link", name=f"Change {what}", exact=True).click()
    expect(h1(page, heading)).to_be_visible()


def back_on_check_page(page: Page, live_server: str, draft: int) -> None:
    expect(page).to_have_url(f"{live_server}/lodge/{draft}/check")
    expect(h1(page, "Check your answers before you send them")).to_be_visible()


def test_a_family_lodges_saves_returns_and_submits_and_the_case_reaches_the_right_queues(
    page: Page, page_problems: PageProblems, live_server: str, tmp_path: Path
) -> None:
    notice = timekeeping.today() - dt.timedelta(weeks=3)
    act_by = day_date(compute_deadline("contact_mediation_adviser", {"start": notice}).due)

    # Start, and answer the first three questions.
    sign_in(page, live_server, FAMILY)
    draft = start_a_disagreement(page, live_server)

    expect(h1(page, "Who is telling us about the disagreement?")).to_be_visible()
    page.get_by_role("radio", name="I am the child's parent or carer", exact=True).check()
    save_and_continue(page)
    answer_child(page, "Grace Hopper", "14", "6", "2015")
    answer_decision(page, notice)
    expect(h1(page, "Which parts of the EHC plan do you disagree with?")).to_be_visible()

    # Leave half way; the answers so far are kept, with the family's own deadline.
    sign_out(page, live_server)
    sign_in(page, live_server, FAMILY)
    expect(h1(page, "Your disagreements")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Not sent yet")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.locator(f'a[href="/lodge/{draft}/sections"]'))
    expect(row).to_contain_text("Grace Hopper")
    expect(row).to_contain_text(f"Contact a mediation adviser by {act_by}")
    row.get_by_role("link", name="Continue Grace Hopper").click()

    # "Continue" goes straight to the first question still to answer.
    expect(page).to_have_url(f"{live_server}/lodge/{draft}/sections")
    expect(h1(page, "Which parts of the EHC plan do you disagree with?")).to_be_visible()
    page.get_by_role("checkbox", name=FAMILY_SECTION_F, exact=True).check()
    page.get_by_role("checkbox", name=FAMILY_SECTION_G, exact=True).check()
    save_and_continue(page)

    expect(h1(page, "What you disagree with and what you want instead")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=FAMILY_SECTION_F)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=FAMILY_SECTION_G)).to_be_visible()
    page.get_by_label("Section F: what do you disagree with?").fill(
        "Speech and language therapy is not quantified"
    )
    page.get_by_label("Section F: what do you want instead?").fill(
        "Two hours of speech and language therapy a week"
    )
    page.get_by_label("Section G: what do you disagree with?").fill("Section G leaves out physiotherapy")
    page.get_by_label("Section G: what do you want instead?").fill("Physiotherapy once a week from the NHS")
    page.get_by_label("What health provision do you want the plan to specify?").fill("Weekly physiotherapy")
    save_and_continue(page)

    expect(h1(page, "Do you want mediation?")).to_be_visible()
    page.get_by_role("radio", name="Yes", exact=True).check()
    save_and_continue(page)

    expect(h1(page, "Do you need anything to take part?")).to_be_visible()
    language = page.get_by_label("Which language?")
    expect(language).to_be_hidden()  # GOV.UK conditional reveal, with JavaScript
    page.get_by_role("checkbox", name="A spoken language interpreter", exact=True).check()
    expect(language).to_be_visible()
    language.fill("Polish")
    save_and_continue(page)

    expect(h1(page, "How should we contact you?")).to_be_visible()
    page.get_by_role("radio", name="By post", exact=True).check()
    page.get_by_label("Postal address, including postcode").fill("1 Test Road\nMilton Keynes\nMK9 1AA")
    save_and_continue(page)

    # Check your answers: everything typed before and after signing out, in GOV.UK date style.
    back_on_check_page(page, live_server, draft)
    expect(summary_value(page, "Who is telling us")).to_have_text("I am the child's parent or carer")
    expect(summary_value(page, "Child or young person")).to_have_text("Grace Hopper, born 14 June 2015")
    expect(summary_value(page, "Local authority")).to_have_text(LOCAL_AUTHORITY)
    expect(summary_value(page, "Documents")).to_have_text(PDF_NAME)
    expect(summary_value(page, "Plan sections")).to_have_text("F, G")
    expect(summary_value(page, "Section F")).to_have_text(
        "Disagree: Speech and language therapy is not quantified. "
        "Want: Two hours of speech and language therapy a week"
    )
    expect(summary_value(page, "Health provision wanted")).to_have_text("Weekly physiotherapy")
    expect(summary_value(page, "Needs to take part")).to_have_text("A spoken language interpreter (Polish)")

    # A change from the check page comes back to it.
    change(page, "contact", "How should we contact you?")
    page.get_by_role("radio", name="By email", exact=True).check()
    expect(page.get_by_label("Email address", exact=True)).to_have_value(FAMILY)
    save_and_continue(page)
    back_on_check_page(page, live_server, draft)
    expect(summary_value(page, "Wants mediation")).to_have_text("Yes")
    # The address typed when post was chosen is kept as a contact detail; email is now preferred.
    expect(summary_value(page, "Contact")).to_have_text(
        f"By email: {FAMILY}; Post: 1 Test Road Milton Keynes MK9 1AA"
    )

    # Send it.
    page.get_by_role("button", name="Accept and send", exact=True).click()
    expect(page).to_have_url(f"{live_server}/lodge/{draft}/confirmation")
    expect(h1(page, "We have your disagreement")).to_be_visible()
    reference_text = page.get_by_text(REFERENCE)
    expect(reference_text).to_be_visible()
    reference = reference_text.inner_text().strip()
    expect(page.get_by_role("heading", level=2, name="Your dates")).to_be_visible()
    expect(page.get_by_role("link", name="See your case", exact=True)).to_have_attribute(
        "href", f"/cases/{reference}"
    )
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page.get_by_role("link", name=re.compile(f"case {reference}$"))).to_be_visible()
    expect(page.locator(f'a[href^="/lodge/{draft}/"]')).to_have_count(0)  # no longer a draft
    sign_out(page, live_server)

    # The local authority's queue has it, with everything the family said and sent.
    sign_in(page, live_server, LA_COORDINATOR)
    expect(h1(page, "Local authority case queue")).to_be_visible()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(h1(page, f"Case {reference}")).to_be_visible()
    expect(page.get_by_text("Grace Hopper", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="What is disputed")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=SECTION_F, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=SECTION_G, exact=True)).to_be_visible()
    expect(page.get_by_text("Weekly physiotherapy", exact=True)).to_be_visible()
    expect(page.get_by_text("Interpreter: Polish", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Statutory clocks")).to_be_visible()
    document = page.get_by_role("link", name=PDF_NAME, exact=True)
    expect(document).to_be_visible()
    document_url = f"{live_server}{document.get_attribute('href')}"
    with page.expect_download() as download_info:
        document.click()
    download = download_info.value
    assert download.suggested_filename == PDF_NAME
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF
    sign_out(page, live_server)

    # F and G together: the local authority arranges mediation and the health commissioner is a party.
    sign_in(page, live_server, HEALTH_COMMISSIONER)
    expect(h1(page, "Health commissioner case queue")).to_be_visible()
    expect(page.get_by_role("link", name=reference, exact=True)).to_be_visible()
    sign_out(page, live_server)

    # Chromium turns the attachment's navigation into a download and reports the navigation as
    # aborted, sometimes with the page's favicon fetch it cut short; any other cancelled request, and
    # any failure, is a problem.
    download_abort = f"request failed: GET {document_url} (net::ERR_ABORTED)"
    assert page_problems.problems == []
    favicon_abort = f"request failed: GET {live_server}/assets/images/favicon.svg (net::ERR_ABORTED)"
    assert [a for a in page_problems.aborted if a not in (download_abort, favicon_abort)] == []


def test_a_validation_error_shows_the_error_summary_and_keeps_typed_values(
    page: Page, live_server: str
) -> None:
    sign_in(page, live_server, OTHER_FAMILY)
    start_a_disagreement(page, live_server)
    page.get_by_role("radio", name="I am the child's parent or carer", exact=True).check()
    save_and_continue(page)

    answer_child(page, "Ada Lovelace", "31", "2", "2015")

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("alert")).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    expect(page).to_have_title(re.compile(r"^Error: "))
    message = "Their date of birth must be a real date"
    link = summary.get_by_role("link", name=message, exact=True)
    expect(link).to_have_attribute("href", "#dob-day")
    expect(summary.get_by_role("link")).to_have_count(1)  # only the date is wrong

    date_group = page.get_by_role("group", name="Date of birth", exact=True)
    expect(date_group).to_contain_text(f"Error: {message}")
    day = date_group.get_by_label("Day", exact=True)
    link.click()
    expect(day).to_be_focused()

    expect(page.get_by_label("Full name", exact=True)).to_have_value("Ada Lovelace")
    expect(day).to_have_value("31")
    expect(date_group.get_by_label("Month", exact=True)).to_have_value("2")
    expect(date_group.get_by_label("Year", exact=True)).to_have_value("2015")
    selected = page.get_by_label("Local authority that made the decision")
    expect(selected.locator("option:checked")).to_have_text(LOCAL_AUTHORITY)

    # Put right, it goes on to the next question.
    day.fill("28")
    save_and_continue(page)
    expect(h1(page, "The decision you disagree with")).to_be_visible()


def test_the_lodging_journey_works_without_javascript(no_js_page: Page, live_server: str) -> None:
    page = no_js_page
    problems = PageProblems(origin=live_server).watch(page)
    notice = timekeeping.today() - dt.timedelta(weeks=3)

    sign_in(page, live_server, OTHER_FAMILY)
    assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")
    draft = start_a_disagreement(page, live_server)

    # Without JavaScript GOV.UK conditional content is simply shown, under its radio.
    expect(h1(page, "Who is telling us about the disagreement?")).to_be_visible()
    represented = page.get_by_label("Name of the parent or young person you act for")
    consent = page.get_by_role("checkbox", name="I have their consent to act for them in this disagreement")
    expect(represented).to_be_visible()
    expect(consent).to_be_visible()
    page.get_by_role(
        "radio", name="I am an advocate acting for the parent or young person", exact=True
    ).check()
    represented.fill("Sam Taylor")
    consent.check()
    save_and_continue(page)

    answer_child(page, "Alan Turing", "23", "6", "2014")
    answer_decision(page, notice)
    expect(page).to_have_url(f"{live_server}/lodge/{draft}/sections")
    expect(h1(page, "Which parts of the EHC plan do you disagree with?")).to_be_visible()

    # The plain form posts kept everything, the uploaded letter included.
    page.get_by_role("link", name="Back", exact=True).click()
    expect(h1(page, "The decision you disagree with")).to_be_visible()
    expect(page.get_by_text(f"Uploaded: {PDF_NAME}.")).to_be_visible()
    expect(page.get_by_role("radio", name=FAMILY_PLAN_CONTENTS, exact=True)).to_be_checked()
    page.get_by_role("link", name="Back", exact=True).click()
    expect(h1(page, "About the child or young person")).to_be_visible()
    expect(page.get_by_label("Full name", exact=True)).to_have_value("Alan Turing")
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value("2014")
    page.get_by_role("link", name="Back", exact=True).click()
    expect(h1(page, "Who is telling us about the disagreement?")).to_be_visible()
    expect(
        page.get_by_role("radio", name="I am an advocate acting for the parent or young person")
    ).to_be_checked()
    expect(represented).to_have_value("Sam Taylor")
    expect(consent).to_be_checked()

    assert problems.problems == []
