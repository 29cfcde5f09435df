"""A newcomer on the embedded default, in Chromium with JavaScript off: register, read the confirmation
email on the admin mailbox page (the demo admin, in another browser), follow its link, sign in; then
reset a forgotten password from the link read in the mailbox, and change it when signed in.

The server here is `python main.py` as `make run` starts it: SQLite, demo data, the scheduler delivering
the outbox, and the mailbox on by default (no MAILBOX or SMTP_HOST set), on a fresh database of its own.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.server_process import free_port, running_server

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-password-2026"
NEW_PASSWORD = "Lantern-orchid-basin-47"
RESET_PASSWORD = "Quarry-violet-tundra-85"
CHANGED_PASSWORD = "Beacon-marble-cypress-19"
MAIL_WAIT_SECONDS = 20.0


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_dir: Path = tmp_path_factory.mktemp("mailbox-server")
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {"SMTP_HOST", "SMTP_PORT", "MAILBOX", "MAILBOX_PORT", "BASE_URL", "MIGRATION_DATABASE_URL"}
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_dir / 'demo.sqlite'}",
            "DEMO_DATA": "1",
            "RUN_SCHEDULER": "1",
            "OUTBOX_INTERVAL_SECONDS": "1",
            "SECRET_KEY": "mailbox-browser-test-secret-not-for-production",
            "MEDIATION_FAST_HASH": "1",
        }
    )
    port = free_port()
    log_path = tmp_dir / "server.log"
    with running_server(env, port, log_path) as base_url:
        yield base_url
    output = log_path.read_text(errors="replace")
    assert f"sign in as admin@send-mediation.example at {base_url}/admin/mailbox" in output
    assert "SMTPConnectError" not in output


def _no_js(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url, java_script_enabled=False, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(10_000)
    return context


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _open_message(page: Page, to: str, subject: str) -> None:
    """Open the mailbox and wait (reloading, as a person would) until the message is there; open it."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        page.goto("/admin/mailbox")
        row = page.locator("#mailbox tbody tr").filter(has_text=to).filter(has_text=subject)
        if row.count():
            row.first.get_by_role("link", name=subject, exact=True).click()
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"no message to {to} in the mailbox after {MAIL_WAIT_SECONDS:.0f} s:\n{page.content()}"
            )
        time.sleep(0.5)


def test_a_newcomer_registers_confirms_signs_in_resets_and_changes_the_password_by_the_mailbox(
    chromium_browser: Browser, demo_server: str
) -> None:
    email = "newcomer.mailbox@example.com"
    family_context, admin_context = (
        _no_js(chromium_browser, demo_server),
        _no_js(chromium_browser, demo_server),
    )
    try:
        newcomer = family_context.new_page()
        newcomer.goto("/register")
        assert "govuk-frontend-supported" not in (newcomer.locator("body").get_attribute("class") or "")
        newcomer.get_by_label("Full name", exact=True).fill("Nia Newcomer")
        newcomer.get_by_label("Email address", exact=True).fill(email)
        newcomer.get_by_label("Create a password", exact=True).fill(NEW_PASSWORD)
        newcomer.get_by_label("Confirm your password", exact=True).fill(NEW_PASSWORD)
        newcomer.get_by_role("button", name="Create account", exact=True).click()
        expect(newcomer.get_by_role("heading", level=1, name="Check your email", exact=True)).to_be_visible()
        expect(newcomer.get_by_role("button", name="Send the link again", exact=True)).to_be_visible()

        # Signing in before confirming: the error offers the link again.
        _sign_in(newcomer, email, NEW_PASSWORD)
        expect(newcomer.locator(".govuk-error-summary")).to_contain_text("Confirm your email address")
        expect(newcomer.get_by_role("button", name="Send the link again", exact=True)).to_be_visible()

        admin = admin_context.new_page()
        _sign_in(admin, "admin@send-mediation.example", DEMO_PASSWORD)
        expect(admin.get_by_role("heading", level=1, name="Administration", exact=True)).to_be_visible()
        admin.get_by_role("link", name=re.compile(r"^Mailbox")).click()
        expect(admin.get_by_role("heading", level=1, name="Mailbox", exact=True)).to_be_visible()
        _open_message(admin, email, "Confirm your email address")
        expect(
            admin.get_by_role("heading", level=1, name="Confirm your email address", exact=True)
        ).to_be_visible()
        link = admin.locator("#text-part a[href*='/confirm-email/']")
        expect(link).to_have_count(1)
        href = link.get_attribute("href") or ""
        assert href.startswith(f"{demo_server}/confirm-email/"), href

        newcomer.goto(href)  # the newcomer follows the link from the email
        expect(newcomer.get_by_role("heading", level=1, name="Email address confirmed")).to_be_visible()
        _sign_in(newcomer, email, NEW_PASSWORD)
        expect(newcomer).to_have_url(f"{demo_server}/home")
        expect(
            newcomer.get_by_role("heading", level=1, name="Your disagreements", exact=True)
        ).to_be_visible()
        newcomer.get_by_role("button", name="Sign out", exact=True).click()

        # Forgotten: the reset link is read in the mailbox too, followed once, and the new password works.
        newcomer.goto("/sign-in")
        newcomer.get_by_role("link", name="Forgotten your password?").click()
        newcomer.get_by_label("Email address", exact=True).fill(email)
        newcomer.get_by_role("button", name="Send the link", exact=True).click()
        expect(newcomer.get_by_role("heading", level=1, name="Check your email", exact=True)).to_be_visible()
        _open_message(admin, email, "Reset your password")
        reset = admin.locator("#text-part a[href*='/reset-password/']")
        expect(reset).to_have_count(1)
        newcomer.goto(reset.get_attribute("href") or "")
        newcomer.get_by_label("New password", exact=True).fill(RESET_PASSWORD)
        newcomer.get_by_label("Confirm your new password", exact=True).fill(RESET_PASSWORD)
        newcomer.get_by_role("button", name="Save new password", exact=True).click()
        expect(newcomer.locator(".govuk-panel")).to_contain_text("Your password has been reset")
        _sign_in(newcomer, email, RESET_PASSWORD)
        expect(newcomer).to_have_url(f"{demo_server}/home")

        # Changed when signed in: the old one stops working, the new one signs in.
        newcomer.get_by_role("link", name="Change password", exact=True).click()
        newcomer.get_by_label("Current password", exact=True).fill(RESET_PASSWORD)
        newcomer.get_by_label("New password", exact=True).fill(CHANGED_PASSWORD)
        newcomer.get_by_label("Confirm your new password", exact=True).fill(CHANGED_PASSWORD)
        newcomer.get_by_role("button", name="Change password", exact=True).click()
        expect(newcomer.locator(".govuk-panel")).to_contain_text("Your password has been changed")
        newcomer.get_by_role("link", name="Continue", exact=True).click()
        newcomer.get_by_role("button", name="Sign out", exact=True).click()
        _sign_in(newcomer, email, RESET_PASSWORD)
        expect(newcomer.locator(".govuk-error-summary")).to_be_visible()
        _sign_in(newcomer, email, CHANGED_PASSWORD)
        expect(newcomer).to_have_url(f"{demo_server}/home")
    finally:
        family_context.close()
        admin_context.close()


def test_an_attachment_in_the_mailbox_downloads_as_a_file(
    chromium_browser: Browser, demo_server: str
) -> None:
    """The demo's decision notice goes to the family by email with its PDF: the admin downloads it."""
    context = _no_js(chromium_browser, demo_server)
    try:
        admin = context.new_page()
        _sign_in(admin, "admin@send-mediation.example", DEMO_PASSWORD)
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while True:
            admin.goto("/admin/mailbox")
            notice = admin.locator("#mailbox tbody tr").filter(has_text="family@example.com")
            if notice.count():
                break
            if time.monotonic() > deadline:
                pytest.fail("the demo's notice email never reached the mailbox")
            time.sleep(0.5)
        notice.first.get_by_role("link").click()
        attachment = admin.locator("#attachments a").first
        expect(attachment).to_be_visible()
        with admin.expect_download() as download_info:
            attachment.click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        assert Path(download.path()).read_bytes().startswith(b"%PDF")
    finally:
        context.close()
