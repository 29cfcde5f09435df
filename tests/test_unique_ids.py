"""A crawl of every page the app serves, as each role sees it (the authorisation matrix's requests, on
its own case): no rendered HTML page has two elements with one id. The browser tests check the same on
every page state they reach (`tests/browser/accessibility.py`)."""

from __future__ import annotations

import pytest

from tests.conftest import ROLES, client_as, csrf_token
from tests.page_ids import duplicate_ids
from tests.test_authorisation_matrix import MATRIX, ids  # noqa: F401 - `ids` is the matrix's fixture

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("role", ROLES)
async def test_no_page_any_role_reaches_has_two_elements_with_one_id(app, ids, role):  # noqa: F811
    client = await client_as(app, role)
    found, pages = [], 0
    try:
        for (method, _route), (path, body, expected) in sorted(MATRIX.items()):
            url = path.format(**ids)
            if method == "GET":
                response = await client.get(url)
            elif expected[role] == 400 and not url.startswith("/api/"):  # a form redrawn with its errors
                token = await csrf_token(client, "/deadline-calculator")
                response = await client.post(url, data={**(body or {}), "_csrf_token": token})
            else:
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            pages += 1
            found += [f"{method} {url}: {d}" for d in duplicate_ids(response.text)]
    finally:
        await client.aclose()
    assert pages > 0
    assert found == []
