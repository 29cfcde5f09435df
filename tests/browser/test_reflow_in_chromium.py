"""Reflow at 320 CSS pixels (WCAG 1.4.10): the staff queue, a case, the reports, the audit log and the
lodging questions need no sideways scrolling of the page. A box that does scroll sideways (a wide table)
is a named region that takes keyboard focus and shows GOV.UK's focus style when it has it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from mediation import timekeeping
from tests.browser.test_in_chromium import case_links, sign_in

pytestmark = pytest.mark.browser

WIDTH = 320
COORDINATOR = "coordinator@milton-keynes.example"
ADMIN = "admin@send-mediation.example"
OTHER_FAMILY = "other.family@example.com"  # the lodging tests' family for drafts

# Elements wider than the window, and every box that scrolls sideways with how a keyboard reaches it.
MEASURE = """() => {
  const root = document.documentElement;
  const wide = [...document.body.querySelectorAll("*")]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
    .filter(e => !e.closest(".app-table-scroll"))
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`);
  const boxes = [...document.body.querySelectorAll("*")]
    .filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth)
    .map(e => ({html: e.outerHTML.slice(0, 120), tabindex: e.getAttribute("tabindex"),
                role: e.getAttribute("role"), label: e.getAttribute("aria-label")}));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide, boxes};
}"""


@pytest.fixture
def narrow(chromium_browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    context = chromium_browser.new_context(
        base_url=live_server,
        viewport={"width": WIDTH, "height": 640},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def assert_reflows(page: Page) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["clientWidth"] == WIDTH
    assert measured["scrollWidth"] <= measured["clientWidth"], (
        f"{page.url} is {measured['scrollWidth']}px wide at {WIDTH}px; too wide: {measured['wide']}"
    )
    for box in measured["boxes"]:
        assert box["tabindex"] == "0" and box["role"] == "region" and box["label"], (
            f"{page.url}: a box that scrolls sideways must take focus and be a named region: {box['html']}"
        )


def assert_scroll_boxes_show_the_govuk_focus_style(page: Page) -> None:
    for box in page.locator(".app-table-scroll[tabindex='0']").all():
        box.focus()
        style = box.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineWidth, s.outlineStyle, s.outlineColor]; }"
        )
        assert style == ["3px", "solid", "rgb(255, 221, 0)"], f"{page.url}: focus style {style}"


def test_staff_pages_reflow_at_320px(narrow: BrowserContext, live_server: str) -> None:
    page = narrow.new_page()
    sign_in(page, COORDINATOR)
    expect(page).to_have_url(f"{live_server}/home")
    assert_reflows(page)
    assert_scroll_boxes_show_the_govuk_focus_style(page)

    case_links(page).first.click()
    expect(page).to_have_url(re.compile(r"/cases/[^/]+$"))
    assert_reflows(page)

    today = timekeeping.today()  # the live server keeps the wall clock too
    page.goto(  # 12 months or more: the widest charts, one bar a month
        f"/reports?from-day=1&from-month={today.month}&from-year={today.year - 1}"
        f"&to-day={today.day}&to-month={today.month}&to-year={today.year}"
    )
    expect(page.get_by_role("heading", level=1, name="Reports")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert_reflows(page)
    chart = page.locator("svg[role=img]").first.bounding_box()
    assert (
        chart is not None and chart["x"] >= 0 and chart["x"] + chart["width"] <= WIDTH
    )  # the whole chart shows
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")  # each chart's table
    assert_reflows(page)


def test_the_audit_log_reflows_at_320px_with_every_column_on_screen(narrow: BrowserContext) -> None:
    page = narrow.new_page()
    sign_in(page, ADMIN)
    page.goto("/admin/audit")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    assert_reflows(page)
    entries = page.locator("#entries")
    box = entries.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH  # no column off-screen

    page.set_viewport_size({"width": 1280, "height": 800})  # on a desktop the whole table shows, unscrolled
    region = page.get_by_role("region", name="Audit log entries")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_the_lodging_questions_reflow_at_320px(narrow: BrowserContext, live_server: str) -> None:
    page = narrow.new_page()
    sign_in(page, OTHER_FAMILY)
    page.goto("/lodge")
    assert_reflows(page)
    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/lodge/\d+/who$"))
    assert_reflows(page)
    page.get_by_role("radio", name="I am the child's parent or carer", exact=True).check()
    page.get_by_role("button", name="Save and continue", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="About the child or young person")).to_be_visible()
    assert_reflows(page)
    page.get_by_role("button", name="Save and continue", exact=True).click()  # nothing typed: the errors
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_reflows(page)


def test_the_accessibility_statement_is_one_footer_link_away_and_reflows(narrow: BrowserContext) -> None:
    page = narrow.new_page()
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile(r"^Accessibility statement for "))
    ).to_be_visible()
    assert_reflows(page)
