"""Passwords in Chromium with JavaScript off: a newcomer registers, confirms, signs in, resets a forgotten
password from the emailed link and changes it when signed in; a new staff account changes its temporary
password before it can reach anything else. The links are read from the server's outbox table."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from mediation.settings import DatabaseConfig

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-password-2026"
FIRST = "Saffron-kettle-meadow-38"
RESET = "Lantern-glacier-pepper-71"
CHANGED = "Walnut-harbour-comet-26"


def _bodies_sqlite(path: str, email: str) -> list[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT body_text FROM notification WHERE recipient_email = ? ORDER BY id DESC", (email,)
        ).fetchall()
    return [row[0] for row in rows]


def _bodies_postgres(url: str, email: str) -> list[str]:
    from mediation.db import connect

    async def fetch() -> list[str]:
        conn = await connect(DatabaseConfig.from_url(url))
        try:
            rows = await conn.fetch(
                "SELECT body_text FROM notification WHERE recipient_email = $1 ORDER BY id DESC", email
            )
        finally:
            await conn.close()
        return [row["body_text"] for row in rows]

    # Playwright's loop counts as running in this thread: run the query's own loop in another.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, fetch()).result()


def emailed_link(database_url: str, email: str, path: str) -> str:
    """The newest link to `path` emailed to this address, as the server wrote it to its outbox."""
    deadline = time.monotonic() + 10
    while True:
        if database_url.startswith("sqlite:///"):
            bodies = _bodies_sqlite(database_url.removeprefix("sqlite:///"), email)
        else:
            bodies = _bodies_postgres(database_url, email)
        for body in bodies:
            match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body)
            if match:
                return match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no {path} link was emailed to {email}: {bodies!r}")
        time.sleep(0.2)


def h1(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1, name=name, exact=True)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_register_confirm_sign_in_reset_a_forgotten_password_and_change_it(
    no_js_page: Page, live_server: str, live_database_url: str
) -> None:
    page = no_js_page
    email = f"newcomer-{time.time_ns()}@example.com"

    page.goto("/register")
    page.get_by_label("Full name").fill("Rosalind Franklin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(FIRST)
    page.get_by_label("Confirm your password").fill(FIRST)
    page.get_by_role("button", name="Create account").click()
    expect(h1(page, "Check your email")).to_be_visible()

    page.goto(emailed_link(live_database_url, email, "/confirm-email/"))
    expect(page.locator(".govuk-panel")).to_contain_text("Email address confirmed")
    sign_in(page, email, FIRST)
    expect(page).to_have_url(f"{live_server}/home")
    sign_out(page)

    # Forgotten: from the sign-in page to the emailed link.
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(h1(page, "Reset your password")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(h1(page, "Check your email")).to_be_visible()

    link = emailed_link(live_database_url, email, "/reset-password/")
    page.goto(link)
    expect(h1(page, "Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(RESET)
    page.get_by_label("Confirm your new password").fill("Not-the-same-password-99")
    page.get_by_role("button", name="Save new password").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The passwords do not match")
    page.get_by_label("New password", exact=True).fill(RESET)
    page.get_by_label("Confirm your new password").fill(RESET)
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your password has been reset")

    page.goto(link)  # used once already
    expect(h1(page, "The link has expired or has already been used")).to_be_visible()

    sign_in(page, email, FIRST)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    sign_in(page, email, RESET)
    expect(page).to_have_url(f"{live_server}/home")

    # Changed when signed in, from the link in the header.
    page.get_by_role("link", name="Change password").click()
    expect(h1(page, "Change your password")).to_be_visible()
    page.get_by_label("Current password").fill(RESET)
    page.get_by_label("New password", exact=True).fill(CHANGED)
    page.get_by_label("Confirm your new password").fill(CHANGED)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your password has been changed")
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(f"{live_server}/home")  # still signed in here
    sign_out(page)
    sign_in(page, email, CHANGED)
    expect(page).to_have_url(f"{live_server}/home")


def test_a_new_staff_account_changes_its_temporary_password_before_anything_else(
    no_js_page: Page, live_server: str
) -> None:
    page = no_js_page
    email = f"new-coordinator-{time.time_ns()}@milton-keynes.example"
    temporary = "Temporary-otter-bramble-64"

    sign_in(page, "admin@send-mediation.example", DEMO_PASSWORD)
    page.goto("/admin/accounts/new")
    page.get_by_label("Full name").fill("Mary Anning")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Local authority mediation coordinator").check()
    council = page.locator("#organisation option", has_text="Milton Keynes City Council").first
    page.get_by_label("Organisation").select_option(value=council.get_attribute("value"))
    page.get_by_label("Temporary password").fill(temporary)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{live_server}/admin/accounts")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"Account created for {email}")
    sign_out(page)

    sign_in(page, email, temporary)
    expect(page).to_have_url(f"{live_server}/account/password")
    expect(page.locator(".govuk-inset-text")).to_contain_text("temporary password")
    page.goto("/home")
    expect(page).to_have_url(f"{live_server}/account/password")  # nothing else until it is changed

    page.get_by_label("Current password").fill(temporary)
    page.get_by_label("New password", exact=True).fill(CHANGED)
    page.get_by_label("Confirm your new password").fill(CHANGED)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your password has been changed")
    page.get_by_role("link", name="Continue").click()
    expect(h1(page, "Local authority case queue")).to_be_visible()
