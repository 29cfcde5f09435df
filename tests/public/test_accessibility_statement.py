"""The accessibility statement at /accessibility: public, with the parts the 2018 regulations (and GOV.UK's
sample statement) require, and linked from the footer of every page."""

from __future__ import annotations

import html

import pytest

from tests.conftest import ROLES, client_as

pytestmark = pytest.mark.anyio

FOOTER_LINK = '<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>'
REQUIRED_HEADINGS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service's accessibility",
    "Compliance status",
    "Non-accessible content",
    "What we are doing to improve accessibility",
    "Preparation of this accessibility statement",
]


@pytest.mark.parametrize("role", ROLES)
async def test_everyone_reads_the_statement_with_every_part_the_regulations_require(app, role):
    client = await client_as(app, role)
    try:
        response = await client.get("/accessibility")
    finally:
        await client.aclose()
    assert response.status_code == 200
    page = response.text
    assert "<title>Accessibility statement - " in page
    for heading in REQUIRED_HEADINGS:
        assert f">{heading}</h" in html.unescape(page), heading
    text = html.unescape(page)
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert 'href="https://www.equalityadvisoryservice.com/"' in page  # EASS
    assert "partially compliant with the" in text and "2.2" in text
    assert "This statement was prepared on 1 December 2026" in text
    assert "success criterion 1.3.1" in text  # known issues named with what they fail


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("anonymous", "/"),
        ("anonymous", "/sign-in"),
        ("anonymous", "/who-handles-my-disagreement?check=1"),  # an error page too
        ("family", "/home"),
        ("la_coordinator", "/home"),
        ("admin", "/admin/audit"),
        ("mediator", "/mediation-service"),
        ("anonymous", "/no-such-page"),
    ],
)
async def test_every_page_links_to_the_statement_from_its_footer(app, role, path):
    client = await client_as(app, role)
    try:
        response = await client.get(path)
    finally:
        await client.aclose()
    assert response.headers["content-type"].startswith("text/html")
    footer = response.text.split('<footer class="govuk-footer">', 1)[1]
    assert FOOTER_LINK in footer
