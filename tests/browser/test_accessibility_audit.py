"""The accessibility hook itself (`tests/browser/accessibility.py`) finds what it is there to find: a page
with a nameless field and two elements sharing an id fails, naming rule, impact, target and URL; GOV.UK's
own `aria-expanded` on a conditional radio is the one thing let through; a page seen again is not
checked twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.accessibility import (
    AUDIT,
    AccessibilityAudit,
    PageState,
    known_govuk_exception,
    page_shape,
)

pytestmark = pytest.mark.browser

BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad page</title></head><body>
<main><h1 id="service">Mediation service</h1>
<form><select id="service" name="service"><option>One</option></select>
<input type="text" name="nameless"></form></main></body></html>"""


def test_a_page_with_a_nameless_field_and_a_shared_id_fails_with_rule_target_and_url(
    chromium_browser: Browser, live_server: str
) -> None:
    audit = AccessibilityAudit(_new_context=AUDIT._new_context)  # its own, so this test's bad page stays here
    url = f"{live_server}/a-page-made-up-by-this-test"
    audit.keep(PageState(url=url, html=BAD_PAGE, javascript=False))
    audit.keep(PageState(url=url, html=BAD_PAGE.replace("One", "Two"), javascript=False))  # same shape
    assert len(audit.pending) == 1

    problems = audit.check_pending()

    assert audit.checked == 1
    assert f"duplicate id service (2 times) at {url} (JavaScript off)" in problems
    nameless = [p for p in problems if p.startswith("axe label (critical)")]
    assert len(nameless) == 1
    assert f"target input at {url}" in nameless[0] and 'name="nameless"' in nameless[0]
    assert audit.check_pending() == []  # reported once


def test_only_gov_uk_aria_expanded_on_a_radio_is_let_through() -> None:
    radio = {
        "html": '<input class="govuk-radios__input" type="radio" aria-expanded="false">',
        "data": ['"aria-expanded=\\"false\\""'],
    }
    checkbox = {**radio, "html": '<input type="checkbox" aria-expanded="false">'}
    other = {**radio, "data": ['"aria-pressed=\\"true\\""']}
    assert known_govuk_exception("aria-allowed-attr", radio)
    assert not known_govuk_exception("aria-allowed-attr", checkbox)
    assert not known_govuk_exception("aria-allowed-attr", other)
    assert not known_govuk_exception("label", radio)


def test_a_page_shape_ignores_tokens_and_text_but_not_structure() -> None:
    one = '<form><input type="hidden" name="_csrf_token" value="abc"><p class="govuk-body">Hello</p></form>'
    two = '<form><input type="hidden" name="_csrf_token" value="xyz"><p class="govuk-body">Bye</p></form>'
    assert page_shape(one) == page_shape(two)
    assert page_shape(one) != page_shape(one.replace('class="govuk-body"', 'class="govuk-error-summary"'))
