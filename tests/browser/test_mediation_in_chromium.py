"""Mediation in real headless Chromium: the service sets up its mediator, the coordinator records the
adviser contact, finds a time that meets every rule and books it; the family sees the meeting.

Uses the demo case "Jamie Taylor" (mixed education and health, the family needs to attend remotely).
"""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from mediation import timekeeping
from tests.browser.conftest import PageProblems

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-password-2026"
MEDIATOR = "mediator@independent-mediation.example"
COORDINATOR = "coordinator@milton-keynes.example"
FAMILY = "family@example.com"


def sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/home")


def sign_out(page: Page, live_server: str) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(f"{live_server}/")


def set_up_the_mediator(page: Page) -> None:
    page.goto("/mediation-service")
    expect(page.get_by_role("heading", level=1, name="Mediators and rooms")).to_be_visible()
    if page.get_by_role("button", name="Add the mediator").count():
        page.get_by_label("Mediator account").select_option(label="Jo Williams")
        page.get_by_role("button", name="Add the mediator").click()
        expect(page.get_by_role("heading", level=3, name="Jo Williams")).to_be_visible()
    for weekday in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.locator("#hours-mediator").select_option(label="Jo Williams")
        page.locator("#hours-weekday").select_option(label=weekday)
        page.get_by_label("From").fill("09:00")
        page.get_by_label("To", exact=True).fill("17:00")
        page.get_by_role("button", name="Add the hours").click()
        expect(page.get_by_text(f"{weekday} 09:00 to 17:00").first).to_be_visible()


def record_wants_mediation(page: Page) -> None:
    """On the case's mediation page: the family contacted the adviser today and wants mediation."""
    today = timekeeping.today()
    page.locator("#contacted-day").fill(str(today.day))
    page.locator("#contacted-month").fill(str(today.month))
    page.locator("#contacted-year").fill(str(today.year))
    page.get_by_label("Wants mediation").check()
    page.get_by_role("button", name="Record the adviser contact").click()


def test_a_coordinator_books_a_mediation_meeting_that_meets_every_rule(
    page: Page, live_server: str, page_problems: PageProblems
) -> None:
    sign_in(page, live_server, MEDIATOR)
    set_up_the_mediator(page)
    sign_out(page, live_server)

    sign_in(page, live_server, COORDINATOR)
    cases = page.request.get("/api/v1/cases?limit=200").json()
    reference = next(c["reference"] for c in cases if c["child_name"] == "Jamie Taylor")
    page.goto(f"/cases/{reference}")
    page.get_by_role("link", name=f"Go to mediation for case {reference}").click()
    expect(page.get_by_role("heading", level=1, name="Mediation")).to_be_visible()

    record_wants_mediation(page)
    expect(page.get_by_text("Mediation requested", exact=True)).to_be_visible()

    page.get_by_role("link", name="Find a time and arrange a meeting").click()
    expect(page.get_by_text("The family needs to attend remotely.")).to_be_visible()
    page.get_by_label("Mediator", exact=True).select_option(label="Jo Williams")
    page.get_by_label("Where").select_option(label="Remote (online)")
    page.get_by_label("Local authority officer attending").select_option(label="Priya Shah")
    page.get_by_label("Health commissioner's officer attending").select_option(label="Chris Okafor")
    page.get_by_label("The officers attending can agree how to settle the disagreement").check()
    page.get_by_role("button", name="Find times").click()
    results = page.get_by_role("heading", level=2, name="Times that meet every rule")
    expect(results).to_be_visible()
    # By keyboard: the page opens at the results with their heading focused; Tab reaches "Book this time"
    # before the list, then the first time; Space chooses it and one Shift+Tab is back on the button.
    expect(page).to_have_url(re.compile(r"/mediation/schedule\?.*#times$"))
    expect(results).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Book this time").first).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("input[name=slots]").first).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("input[name=slots]").first).to_be_checked()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Mediation meeting")).to_be_visible()
    expect(page.get_by_text("Health commissioner's officer: Chris Okafor")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to your calendar (.ics file)").click()
    invite = Calendar.from_ical(download.value.path().read_bytes())
    assert reference in str(invite.walk("VEVENT")[0]["SUMMARY"])
    sign_out(page, live_server)

    sign_in(page, live_server, FAMILY)
    page.goto(f"/cases/{reference}/mediation")
    meetings = page.locator("#sessions + ul")
    expect(meetings).to_contain_text("Online: the mediator sends the joining link")
    expect(page.get_by_role("button", name="Record the adviser contact")).to_have_count(0)
    # Nor the family's own form for it: the adviser stage is past once the meeting is booked.
    expect(page.get_by_role("heading", name="Tell us you talked to the mediation adviser")).to_have_count(0)
    # Chromium reports a navigation it cancels (the .ics attachment becoming a download, a favicon
    # fetch cut short by the next page) as ERR_ABORTED; these are not failures of the service.
    assert page_problems.problems == []  # page_problems.aborted holds those
