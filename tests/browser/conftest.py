"""Browser tests: the real server (`python main.py`) in a subprocess, driven by Debian's headless Chromium.

The parent conftest has already set DATABASE_URL, SECRET_KEY and friends for the in-process app; the
server started here gets its own environment: a fresh SQLite file, or the same PostgreSQL database when
TEST_DATABASE_URL points at one (start-up migrations and the demo data load are idempotent).

Playwright's sync API is used from plain (non-async) tests and fixtures, so the AnyIO plugin never
runs them on an event loop; see `chromium_browser` for why Playwright lives for one module at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)

from tests.browser.accessibility import AUDIT
from tests.server_process import ROOT, free_port, running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 30.0
RESULTS_DIR = ROOT / "test-results"  # git-ignored


def _server_database_url(tmp_dir: Path) -> str:
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if shared.startswith(("postgres://", "postgresql://")):
        return shared
    return f"sqlite:///{tmp_dir / 'browser.sqlite'}"


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the live server uses, for tests that read what it wrote (an email in the outbox)."""
    return _server_database_url(tmp_path_factory.mktemp("browser-database"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, live_database_url: str) -> Iterator[str]:
    """Start `python main.py` on a free loopback port; yield its base URL; stop it afterwards."""
    tmp_dir = tmp_path_factory.mktemp("browser-server")
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url,
        "DEMO_DATA": "1",
        "RUN_SCHEDULER": "0",
        "SECRET_KEY": "browser-test-secret-key-not-for-production",
        "MEDIATION_FAST_HASH": "1",
    }
    with running_server(env, free_port(), tmp_dir / "server.log", SERVER_START_TIMEOUT) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; Playwright's own browser downloads are never used.

    Module-scoped, not session-scoped, on purpose: while Playwright's sync API is started, its event loop
    counts as running in this thread (it runs in a greenlet), so every AnyIO async test or fixture that
    comes after it in the same session fails with "Cannot run the event loop while another loop is
    running". Stopping Playwright at the end of each browser module keeps `pytest` (the whole suite) green.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(scripts/setup.sh installs it: apt-get install chromium). Do not run `playwright install`.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        AUDIT.attach(browser)
        try:
            yield browser
        finally:
            AUDIT.detach()
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(chromium_browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    ctx = chromium_browser.new_context(base_url=live_server, locale="en-GB", timezone_id="Europe/London")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def no_js_page(context: BrowserContext, live_server: str) -> Iterator[Page]:
    """A page in a context of its own with JavaScript off: every journey must work without it."""
    browser = context.browser
    assert browser is not None
    no_js = browser.new_context(
        base_url=live_server, java_script_enabled=False, locale="en-GB", timezone_id="Europe/London"
    )
    no_js.set_default_timeout(10_000)
    try:
        yield no_js.new_page()
    finally:
        no_js.close()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed same-origin requests seen by one page."""

    origin: str
    problems: list[str] = field(default_factory=list)
    # Requests Chromium itself cancelled (ERR_ABORTED: a navigation that became a download, a favicon
    # fetch cut short by the next page), kept apart so each test says which of them it expects.
    aborted: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> PageProblems:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        return self

    def _same_origin(self, url: str) -> bool:
        parts = urlparse(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location.get('url', '')}")

    def _request_failed(self, request: Request) -> None:
        failed = f"request failed: {request.method} {request.url} ({request.failure})"
        (self.aborted if request.failure == "net::ERR_ABORTED" else self.problems).append(failed)

    def _response(self, response: Response) -> None:
        if response.status >= 400 and self._same_origin(response.url):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page_problems(page: Page, live_server: str) -> PageProblems:
    return PageProblems(origin=live_server).watch(page)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After each browser test, axe-core and the unique-id check on every new page state it reached
    (`tests/browser/accessibility.py`); any violation fails the test, naming rule, impact, target and URL."""
    try:
        result = yield
    except BaseException:
        AUDIT.forget_pending()
        raise
    problems = AUDIT.check_pending()
    if problems:
        pytest.fail(
            f"{len(problems)} accessibility problem(s) on the pages this test reached:\n"
            + "\n".join(problems),
            pytrace=False,
        )
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if AUDIT.checked:
        terminalreporter.write_line(
            f"accessibility: axe-core and the unique-id check ran on {AUDIT.checked} page states"
        )
