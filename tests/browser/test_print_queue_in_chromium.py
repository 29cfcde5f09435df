"""The print queue journey in Chromium with JavaScript off (issue 15): the council's coordinator finds a
letter to post, downloads it as one PDF, marks it as posted (a GOV.UK date error first), and sees it move
to the posted list."""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from mediation.timekeeping import today
from tests.browser.test_in_chromium import sign_in
from tests.server_process import ROOT

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@milton-keynes.example"

# Run on the live server's database, as the delivery job would: a letter to the family of a demo case at
# the demo council, rendered into the council's print queue. It imports nothing from tests/: the suite's
# conftest would point the process at its own database (and empty a PostgreSQL one).
QUEUE_AND_PRINT = textwrap.dedent(
    """
    import asyncio, datetime as dt, sys
    import mediation.capabilities  # a case loads only with every capability's facts registered
    from mediation.cases.tables import Disagreement
    from mediation.notify.letters import print_letter
    from mediation.notify.service import queue_for_person
    from mediation.notify.tables import Notification

    async def main(subject):
        jamie = Disagreement.child_name == "Jamie Taylor"
        case = await Disagreement.select(Disagreement.id).where(jamie).first()
        await queue_for_person(
            email=None, name="Alex Taylor", address="4 Post Lane\\nMilton Keynes\\nMK5 5EE",
            subject=subject, body_text="Your meeting is booked.\\n\\nWe will write again.",
            dedupe_key="browser-print:" + subject, disagreement_id=case["id"],
        )
        claimed = await (
            Notification.update({Notification.status: "sending", Notification.attempts: 1})
            .where(Notification.subject == subject)
            .returning(*Notification.all_columns())
        )
        assert await print_letter(claimed[0], dt.datetime.now(dt.UTC))

    asyncio.run(main(sys.argv[1]))
    """
)


def _letter_in_the_queue(live_database_url: str, subject: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", QUEUE_AND_PRINT, subject],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": live_database_url, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_coordinator_finds_downloads_and_marks_a_letter_posted_without_javascript(
    chromium_browser: Browser, live_server: str, live_database_url: str
) -> None:
    subject = f"Meeting letter {secrets.token_hex(3)}"
    _letter_in_the_queue(live_database_url, subject)
    context = chromium_browser.new_context(
        base_url=live_server, java_script_enabled=False, locale="en-GB", timezone_id="Europe/London",
        accept_downloads=True,
    )  # fmt: skip
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, COORDINATOR)
        page.goto("/print-queue")
        expect(page.get_by_role("heading", level=1, name="Letters to print and post")).to_be_visible()
        letter = page.get_by_role("checkbox", name=f"Alex Taylor: {subject}")
        expect(letter).to_be_visible()
        hint = page.locator(f"#{letter.get_attribute('aria-describedby')}")
        with page.expect_download() as caught:
            hint.get_by_role("link", name="Download letter").click()
        download = caught.value
        assert download.suggested_filename.startswith("letter-") and download.suggested_filename.endswith(
            ".pdf"
        )
        with open(download.path(), "rb") as handle:
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
        assert subject in text and "4 Post Lane" in text

        letter.check()
        later = today() + dt.timedelta(days=1)
        posted = page.get_by_role("group", name="Date they were posted")
        posted.get_by_label("Day").fill(str(later.day))
        posted.get_by_label("Month").fill(str(later.month))
        posted.get_by_label("Year").fill(str(later.year))
        page.get_by_role("button", name="Mark as posted").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("must be today or in the past")
        assert page.title().startswith("Error:")
        assert summary.get_by_role("link").first.get_attribute("href") == "#posted-day"  # to the day box

        day = today()
        posted.get_by_label("Day").fill(str(day.day))
        posted.get_by_label("Month").fill(str(day.month))
        posted.get_by_label("Year").fill(str(day.year))
        expect(page.get_by_role("checkbox", name=f"Alex Taylor: {subject}")).to_be_checked()  # kept
        page.get_by_role("button", name="Mark as posted").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("marked as posted")
        expect(page.get_by_role("checkbox", name=f"Alex Taylor: {subject}")).to_have_count(0)
        row = page.get_by_role("row").filter(has_text=subject)
        expect(row).to_contain_text(f"{day.day} {day:%B %Y}")
    finally:
        context.close()
