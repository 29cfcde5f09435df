"""The coordinator's work queue in Chromium with JavaScript off (issue 15 part 1): search, pages, assign
and "My cases", an internal note, and withdrawing a case, on the real server."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from playwright.sync_api import Page, expect

from mediation import timekeeping
from tests.browser.test_in_chromium import h1, sign_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@milton-keynes.example"
COORDINATOR_NAME = "Priya Shah"


def lodge_for_family(page: Page, child_name: str) -> str:
    """A case lodged by the coordinator through the API, as an LA does for a family who phoned."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    notice = timekeeping.today() - dt.timedelta(days=7)
    tag = secrets.token_hex(4)
    response = page.request.post(
        "/api/v1/cases",
        data={
            "local_authority": "E06000042",
            "decision": "refuse_assessment",
            "decision_notice_sent": notice.isoformat(),
            "child": {"name": child_name, "date_of_birth": "2016-02-03"},
            "family": {"name": f"Parent {tag}", "email": f"parent.{tag}@example.com"},
        },
        headers={"x-csrftoken": token},
    )
    assert response.status == 201, response.text()
    return response.json()["reference"]


def test_search_finds_a_case_and_next_and_previous_walk_the_pages(no_js_page: Page) -> None:
    page = no_js_page
    sign_in(page, COORDINATOR)
    surname = "Pagewalk" + secrets.token_hex(2)
    references = {lodge_for_family(page, f"Child{n:02d} {surname}") for n in range(52)}
    page.goto("/home")
    page.get_by_label("Search by reference, child's name or family's name").fill(surname)
    page.get_by_role("button", name="Filter").click()
    first = set(page.get_by_role("table").get_by_role("link").all_inner_texts())
    assert len(first) == 50 and first <= references
    page.get_by_role("link", name="Next").click()
    second = set(page.get_by_role("table").get_by_role("link").all_inner_texts())
    assert second == references - first  # the last two, none twice
    expect(page.get_by_label("Search by reference, child's name or family's name")).to_have_value(surname)
    page.get_by_role("link", name="Previous").click()
    assert set(page.get_by_role("table").get_by_role("link").all_inner_texts()) == first

    one = sorted(references)[0]
    page.get_by_label("Search by reference, child's name or family's name").fill(one.lower())
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_role("table").get_by_role("link").all_inner_texts() == [one]


def test_assign_to_my_cases_add_a_note_and_withdraw_the_case(no_js_page: Page) -> None:
    page = no_js_page
    sign_in(page, COORDINATOR)
    reference = lodge_for_family(page, "Worked Case " + secrets.token_hex(2))
    page.goto(f"/cases/{reference}")
    expect(page.locator("#assignee")).to_have_text("nobody yet")
    page.get_by_label("Assign the case to").select_option(label=f"{COORDINATOR_NAME} ({COORDINATOR})")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#assignee")).to_have_text(COORDINATOR)

    page.goto("/home")
    page.get_by_role("link", name="My cases").click()
    expect(page.get_by_role("table").get_by_role("link", name=reference)).to_be_visible()
    page.get_by_role("link", name="Unassigned").click()
    expect(page.get_by_role("link", name=reference)).to_have_count(0)

    page.goto(f"/cases/{reference}")
    page.get_by_role("button", name="Add note").click()  # an empty note: the error summary, linked
    expect(page.get_by_role("link", name="Enter the note")).to_have_attribute("href", "#note_text")
    page.get_by_label("Add a note").fill("Family phoned: prefers afternoons.\nInterpreter: Polish.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Family phoned: prefers afternoons.")).to_be_visible()

    page.get_by_text("Withdraw the case", exact=True).first.click()  # opens the details, no script needed
    page.get_by_label("Why is the disagreement being withdrawn?").fill("The family wrote to withdraw it")
    page.get_by_role("button", name="Withdraw the case").click()
    expect(h1(page, f"Case {reference}")).to_be_visible()
    expect(page.get_by_text("Disagreement withdrawn: The family wrote to withdraw it")).to_be_visible()
