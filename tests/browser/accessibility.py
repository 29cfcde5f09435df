"""axe-core and a unique-id check on every page state the browser tests reach, for every role.

Every HTML document a watched browser context loads (each navigation and each form submission) is kept as
the server sent it; at the end of the test each new state (its URL and the shape of its markup, so a page
seen twice is checked once per run) is drawn again in a page of its own and checked there:
- axe-core 4 (from npm, `node_modules/axe-core`), every rule it runs by default;
- no two elements share an id (a label, error-summary link or aria reference would reach the wrong one).
The states are drawn again rather than checked in place because a check in place races the test's next
click (the page may already be on its way to the next one), and axe cannot run in a page with JavaScript
off (its timers never fire). A page the test saw with JavaScript off is drawn without its scripts.

Known exception, not a fault of ours: GOV.UK Frontend's radios with a conditional reveal put
`aria-expanded` on `<input type="radio">`, which ARIA does not allow on the radio role (axe rule
`aria-allowed-attr`). GOV.UK keep it because screen readers announce it usefully
(alphagov/govuk-frontend issue 979); it is skipped here for that attribute on radios only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag

from playwright.sync_api import Browser, BrowserContext, Error, Page, Request, Route

from tests.server_process import ROOT

AXE_SOURCE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Tag, id and class of every element: the shape of a page, the same whoever's CSRF token it carries.
_ELEMENT = re.compile(r"<([a-zA-Z][\w-]*)((?:\s+[^>]*)?)>")
_SHAPE_ATTRIBUTE = re.compile(r'\s(id|class|type|name)="([^"]*)"')
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)

_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(" "), html: n.html,
      data: [...n.any, ...n.all, ...n.none].map(c => JSON.stringify(c.data ?? "")),
    })),
  }));
}"""

_DUPLICATE_IDS = """() => {
  const counts = {};
  for (const el of document.querySelectorAll("[id]")) counts[el.id] = (counts[el.id] || 0) + 1;
  return Object.entries(counts).filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`);
}"""


def known_govuk_exception(rule: str, node: dict[str, object]) -> bool:
    """GOV.UK's conditional radios: `aria-expanded` on a radio, and nothing else wrong with it."""
    html = str(node.get("html", ""))
    data = [str(d) for d in node.get("data", [])]  # type: ignore[attr-defined]
    return (
        rule == "aria-allowed-attr"
        and html.startswith("<input")
        and 'type="radio"' in html
        and all("aria-expanded" in d for d in data if d not in ('""', "null"))
    )


def page_shape(html: str) -> str:
    parts = []
    for tag, attributes in _ELEMENT.findall(html):
        kept = " ".join(f"{k}={v}" for k, v in _SHAPE_ATTRIBUTE.findall(attributes) if k != "name" or v)
        parts.append(f"{tag.lower()}[{kept}]")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass
class PageState:
    url: str
    html: str
    javascript: bool


@dataclass
class AccessibilityAudit:
    """Collects the page states of watched contexts and checks each new one once per run."""

    seen: set[tuple[str, str, bool]] = field(default_factory=set)
    pending: list[PageState] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    _axe_source: str = ""
    _new_context: Callable[..., BrowserContext] | None = None

    def attach(self, browser: Browser) -> None:
        """Watch every context opened on this browser from now on, the tests' own ones included."""
        self._new_context = open_context = browser.new_context

        def new_watched_context(*args: object, **kwargs: object) -> BrowserContext:
            context = open_context(*args, **kwargs)  # type: ignore[arg-type]
            return self.watch(context, javascript=kwargs.get("java_script_enabled") is not False)

        browser.new_context = new_watched_context  # type: ignore[method-assign]

    def detach(self) -> None:
        self._new_context = None
        self.pending.clear()

    def forget_pending(self) -> None:
        """A test that failed on its own: its states are checked again when another test reaches them."""
        for state in self.pending:
            self.seen.discard(self._key(state))
        self.pending.clear()

    def watch(self, context: BrowserContext, *, javascript: bool) -> BrowserContext:
        def document_loaded(request: Request) -> None:
            if request.resource_type != "document" or request.frame.parent_frame is not None:
                return
            response = request.response()
            if response is None or not response.headers.get("content-type", "").startswith("text/html"):
                return
            try:
                html = response.text()
            except Error:  # the body is gone (the page closed first): nothing left to check
                return
            self.keep(PageState(url=request.url, html=html, javascript=javascript))

        context.on("requestfinished", document_loaded)
        return context

    @staticmethod
    def _key(state: PageState) -> tuple[str, str, bool]:
        return (urldefrag(state.url).url, page_shape(state.html), state.javascript)

    def keep(self, state: PageState) -> None:
        key = self._key(state)
        if key not in self.seen:
            self.seen.add(key)
            self.pending.append(state)

    def check_pending(self) -> list[str]:
        """Check every state kept since the last call; return the problems found (and forget them)."""
        if self.pending and self._new_context is not None:
            context = self._new_context(locale="en-GB", timezone_id="Europe/London")
            try:
                page = context.new_page()
                while self.pending:
                    self._check(page, self.pending.pop(0))
            finally:
                context.close()
        found, self.problems = self.problems, []
        return found

    def _check(self, page: Page, state: PageState) -> None:
        html = state.html if state.javascript else _SCRIPT.sub("", state.html)
        url = urldefrag(state.url).url

        def draw(route: Route) -> None:
            if route.request.url == url and route.request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.fallback()

        page.route("**/*", draw)
        try:
            page.goto(url, wait_until="load")
            where = f"{state.url} (JavaScript {'on' if state.javascript else 'off'})"
            for duplicate in page.evaluate(_DUPLICATE_IDS):
                self.problems.append(f"duplicate id {duplicate} at {where}")
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(self.axe_source())
            for violation in page.evaluate(_RUN_AXE):
                for node in violation["nodes"]:
                    if known_govuk_exception(violation["id"], node):
                        continue
                    self.problems.append(
                        f"axe {violation['id']} ({violation['impact']}): {violation['help']}; "
                        f"target {node['target']} at {where}: {node['html'][:200]}"
                    )
            self.checked += 1
        finally:
            page.unroute("**/*", draw)

    def axe_source(self) -> str:
        if not self._axe_source:
            if not AXE_SOURCE_PATH.exists():
                raise RuntimeError(f"{AXE_SOURCE_PATH} is missing: run `make setup` (npm install axe-core)")
            self._axe_source = AXE_SOURCE_PATH.read_text(encoding="utf-8")
        return self._axe_source


AUDIT = AccessibilityAudit()
