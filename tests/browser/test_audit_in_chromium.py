"""The audit log page in Chromium with JavaScript off, on a 320 px wide screen: it reflows (nothing but the
table's own focusable region scrolls sideways), filters show GOV.UK errors, and the CSV downloads."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_in_chromium import sign_in

pytestmark = pytest.mark.browser

ADMIN = "admin@send-mediation.example"


def test_the_audit_log_reflows_at_320px_filters_and_exports_without_javascript(
    chromium_browser: Browser, live_server: str
) -> None:
    context = chromium_browser.new_context(
        base_url=live_server,
        java_script_enabled=False,
        viewport={"width": 320, "height": 640},
        locale="en-GB",
        timezone_id="Europe/London",
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, ADMIN)
        page.goto("/admin/audit")
        expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
        region = page.get_by_role("region", name="Audit log entries")
        expect(region).to_be_visible()
        assert region.get_attribute("tabindex") == "0"  # keyboard users can scroll it
        # The page itself is no wider than the screen: only the table's region may scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        box = region.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320

        page.get_by_label("Who (email address)").fill(ADMIN)
        page.get_by_role("group", name="From").get_by_label("Day").fill("31")
        page.get_by_role("group", name="From").get_by_label("Month").fill("2")
        page.get_by_role("group", name="From").get_by_label("Year").fill("2026")
        page.get_by_role("button", name="Filter the log").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("The start date must be a real date")
        assert page.title().startswith("Error:")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

        page.get_by_role("group", name="From").get_by_label("Day").fill("")
        page.get_by_role("group", name="From").get_by_label("Month").fill("")
        page.get_by_role("group", name="From").get_by_label("Year").fill("")
        page.get_by_role("button", name="Filter the log").click()
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        expect(page.get_by_text(f"Showing entries by {ADMIN}")).to_be_visible()
        with page.expect_download() as caught:
            page.get_by_role("link", name="Download these entries as CSV").click()
        download = caught.value
        assert download.suggested_filename.startswith("audit-log-")
        assert download.suggested_filename.endswith(".csv")
        with open(download.path(), encoding="utf-8") as handle:
            rows = list(csv.reader(io.StringIO(handle.read())))
        assert rows[0][:4] == ["id", "at_utc", "who", "action"]
        assert len(rows) > 1 and all(ADMIN in r[2] for r in rows[1:])
    finally:
        context.close()
