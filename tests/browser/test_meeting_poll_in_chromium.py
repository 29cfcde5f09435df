"""A meeting poll in headless Chromium with JavaScript off: the coordinator proposes times the slot finder
allows to the family, the LA officer and an advocate; the advocate and the family answer by their own
links without signing in; the coordinator sees the best time and books it from the poll, saying who
attends for the local authority and whether they can agree a settlement.

Uses a case of its own, lodged through the API by the coordinator, so other browser tests' bookings of
the demo cases change nothing here. Links are read from the server's outbox table.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import Page, expect

from mediation import timekeeping
from tests.browser.test_mediation_in_chromium import COORDINATOR, record_wants_mediation, sign_in, sign_out
from tests.browser.test_passwords_in_chromium import emailed_link

pytestmark = pytest.mark.browser


def _lodge_case(page: Page, family_email: str) -> str:
    notice = timekeeping.today() - dt.timedelta(days=2)
    response = page.request.post(
        "/api/v1/cases",
        data={
            "local_authority": "E06000042",
            "decision": "plan_contents",
            "sections": ["B", "F"],
            "decision_notice_sent": notice.isoformat(),
            "received_on": notice.isoformat(),
            "wants_mediation": True,
            "child": {"name": "Poll Childcase", "date_of_birth": "2015-09-14"},
            "family": {"name": "Morgan Poll", "email": family_email},
        },
        headers={"x-csrftoken": next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")},
    )
    assert response.status == 201, response.text()
    return str(response.json()["reference"])


def test_everyone_answers_by_link_and_the_coordinator_books_from_the_poll(
    no_js_page: Page, live_server: str, live_database_url: str
) -> None:
    page = no_js_page
    stamp = time.time_ns()
    family_email, advocate_email = f"poll-family-{stamp}@example.com", f"advocate-{stamp}@advocacy.example"
    sign_in(page, live_server, COORDINATOR)
    reference = _lodge_case(page, family_email)

    page.goto(f"/cases/{reference}/mediation")
    service = page.locator("select[name=service]")  # its label's for= also names the h2 id="service"
    if service.count() and not service.input_value():  # the LA's usual service may be assigned already
        service.select_option(index=1)
        page.get_by_role("button", name="Save the mediation service").click()
    record_wants_mediation(page)

    # Proposing times: the slot finder's times, the later ones so that everyone has days to answer.
    page.get_by_role("link", name="Find a time and arrange a meeting").click()
    page.get_by_label("Mediator", exact=True).select_option(label="Jo Williams")
    page.get_by_label("Where").select_option(label="Remote (online)")
    page.get_by_label("Local authority officer attending").select_option(label="Priya Shah")
    page.get_by_label("The officers attending can agree how to settle the disagreement").check()
    page.get_by_role("button", name="Find times").click()
    expect(page.get_by_role("heading", level=2, name="Times that meet every rule")).to_be_visible()
    times = page.locator("input[name=slots]")
    for n in (-1, -2, -3):
        times.nth(times.count() + n).check()
    page.get_by_text("Asking everyone? Invite someone without an account too (optional)").click()
    page.get_by_label("An advocate for the family").check()
    page.get_by_label("Full name").fill("Ada Advocate")
    page.get_by_label("Email address").fill(advocate_email)
    page.get_by_role("button", name="Ask everyone which times suit them").click()
    expect(page.get_by_role("heading", level=1, name="Find a time with everyone")).to_be_visible()
    expect(page.get_by_text("0 of 3 have answered")).to_be_visible()
    poll_url = page.url
    sign_out(page, live_server)

    # Each invitee answers by their own link, without signing in.
    for email, answers in (
        (advocate_email, ("No", "Yes", "Yes")),
        (family_email, ("Yes", "If need be", "Yes")),
    ):
        page.goto(emailed_link(live_database_url, email, "/meeting-polls/"))
        expect(page.get_by_role("heading", level=1, name="Which times can you come")).to_be_visible()
        groups = page.locator("fieldset")
        for n, answer in enumerate(answers):
            groups.nth(n).get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.locator(".govuk-panel")).to_contain_text("Thank you, we have your answer")

    # The coordinator sees the best time (two yes, no no: the last) and books it from the poll.
    sign_in(page, live_server, COORDINATOR)
    page.goto(poll_url)
    expect(page.get_by_text("2 of 3 have answered")).to_be_visible()
    best = page.locator("#results tbody tr").nth(2)
    expect(best).to_contain_text("Best time")
    best_time = best.locator("th strong").first.inner_text()
    expect(page.get_by_label(f"{best_time} (best time)")).to_be_checked()
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say whether the local authority officer")
    page.locator("#can_agree").check()  # Yes
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1, name="Mediation meeting")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(best_time)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Attends for the local authority")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Advocate: Ada Advocate")
    page.goto(poll_url)
    expect(page.get_by_text("A meeting has been booked from this poll.")).to_be_visible()
