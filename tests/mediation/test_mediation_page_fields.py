"""The mediation page's fields: each select has its own id (no heading shares it), so its label names it
and the error summary's link lands on it."""

from __future__ import annotations

import pytest

from tests.mediation.helpers import make_world
from tests.mediation.test_mediation_pages import as_user, post
from tests.page_ids import duplicate_ids, element_with_id

pytestmark = pytest.mark.anyio


async def test_the_service_select_owns_its_id_its_label_and_its_error_link(app):
    w = await make_world()
    la = await as_user(app, w.la.email)
    page = await la.get(f"/cases/{w.reference}/mediation")
    assert page.status_code == 200
    assert duplicate_ids(page.text) == []
    assert element_with_id(page.text, "service") == "select"
    assert '<label class="govuk-label govuk-label--s" for="service">' in page.text

    bad = await post(la, f"/cases/{w.reference}/mediation/service", {"service": "", "_form": "service"})
    assert bad.status_code == 400
    assert 'href="#service"' in bad.text
    assert element_with_id(bad.text, "service") == "select"
    assert duplicate_ids(bad.text) == []


async def test_the_mediator_select_owns_its_id_and_a_save_returns_to_its_section(app):
    w = await make_world()
    mediator = await as_user(app, w.mediator.email)
    page = await mediator.get(f"/cases/{w.reference}/mediation")
    assert page.status_code == 200
    assert element_with_id(page.text, "mediator") == "select"
    assert element_with_id(page.text, "mediator-section") == "h2"
    assert duplicate_ids(page.text) == []

    bad = await post(mediator, f"/cases/{w.reference}/mediation/mediator", {"mediator": ""})
    assert bad.status_code == 400 and 'href="#mediator"' in bad.text
    assert element_with_id(bad.text, "mediator") == "select"
