"""The service as people use it: the real server in headless Chromium, GOV.UK pages, forms and links."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import RESULTS_DIR, PageProblems

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-password-2026"
START_HEADING = "Resolve a disagreement about special educational needs (SEND)"

ROLE_LANDINGS = [
    pytest.param("family@example.com", "Your disagreements", id="family"),
    pytest.param("coordinator@milton-keynes.example", "Local authority case queue", id="la_coordinator"),
    pytest.param("commissioner@blmk-icb.example", "Health commissioner case queue", id="health_commissioner"),
    pytest.param("mediator@independent-mediation.example", "Mediation case list", id="mediator"),
    pytest.param("admin@send-mediation.example", "Administration", id="admin"),
]


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def h1(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1, name=name, exact=True)


def case_links(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("table").get_by_role("link", name=re.compile(r"\S"))


@pytest.mark.parametrize(("email", "landing_heading"), ROLE_LANDINGS)
def test_each_role_signs_in_to_its_landing_page_and_signs_out_to_the_start_page(
    page: Page, live_server: str, email: str, landing_heading: str
) -> None:
    sign_in(page, email)

    expect(page).to_have_url(f"{live_server}/home")
    expect(h1(page, landing_heading)).to_be_visible()

    if email == "family@example.com":
        links = page.locator('main a[href^="/cases/"]')  # the family's cases, each under its child's name
        expect(links.first).to_be_visible()
        reference = (links.first.get_attribute("href") or "").rsplit("/", 1)[-1]
        links.first.click()
        expect(page).to_have_url(f"{live_server}/cases/{reference}")
        expect(h1(page, f"Your case {reference}")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="What you need to do next")).to_be_visible()
    elif email == "coordinator@milton-keynes.example":
        links = case_links(page)
        expect(links.first).to_be_visible()
        links.first.click()
        expect(page).to_have_url(re.compile(r"/cases/[^/]+$"))
        expect(page.get_by_role("heading", level=2, name="Statutory clocks")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()

    expect(page).to_have_url(f"{live_server}/")
    expect(h1(page, START_HEADING)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_wrong_password_shows_the_error_summary_and_keeps_the_typed_email(
    page: Page, live_server: str
) -> None:
    email = "other.family@example.com"  # not used by the sign-in journeys above

    sign_in(page, email, "not-the-password")

    expect(page).to_have_url(f"{live_server}/sign-in")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Email address", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_deadline_calculator_works_with_javascript_disabled(
    context: BrowserContext, live_server: str
) -> None:
    browser = context.browser
    assert browser is not None
    no_js = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-GB")
    try:
        page = no_js.new_page()
        page.goto("/deadline-calculator")
        assert "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or "")

        page.get_by_label("Which time limit?").select_option("appeal")
        start = page.get_by_role("group", name="Start date", exact=True)
        start.get_by_label("Day").fill("10")
        start.get_by_label("Month").fill("3")
        start.get_by_label("Year").fill("2027")
        page.get_by_role("button", name="Work out the date").click()

        expect(page).to_have_url(re.compile(r"/deadline-calculator\?"))
        expect(page.locator(".govuk-panel")).to_contain_text("Monday 10 May 2027")
    finally:
        no_js.close()


def _assert_govuk_styles_and_scripts(page: Page) -> None:
    classes = page.locator("body").get_attribute("class") or ""
    assert "govuk-frontend-supported" in classes, f"body class is {classes!r}"
    # The GOV.UK stylesheet is applied, not just requested: its page width rule is in force.
    max_width = page.locator(".govuk-width-container").first.evaluate("e => getComputedStyle(e).maxWidth")
    assert max_width == "960px"


def test_pages_load_without_console_errors_or_failed_requests(
    page: Page, page_problems: PageProblems, live_server: str
) -> None:
    page.goto("/", wait_until="networkidle")
    expect(h1(page, START_HEADING)).to_be_visible()
    _assert_govuk_styles_and_scripts(page)

    page.goto("/sign-in", wait_until="networkidle")
    _assert_govuk_styles_and_scripts(page)
    # GOV.UK Frontend's JavaScript ran: the password input's "Show" button is only revealed by it.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()

    sign_in(page, "commissioner@blmk-icb.example")
    expect(page).to_have_url(f"{live_server}/home")
    page.wait_for_load_state("networkidle")
    expect(h1(page, "Health commissioner case queue")).to_be_visible()
    _assert_govuk_styles_and_scripts(page)

    assert page_problems.problems == []
    assert page_problems.aborted == []


def test_la_coordinator_case_page_screenshot_is_saved(page: Page, live_server: str) -> None:
    sign_in(page, "coordinator@milton-keynes.example")
    expect(page).to_have_url(f"{live_server}/home")
    case_links(page).first.click()
    expect(page.get_by_role("heading", level=2, name="Statutory clocks")).to_be_visible()
    page.wait_for_load_state("networkidle")

    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "case-page.png"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(path), full_page=True)

    assert path.stat().st_size > 10_000
