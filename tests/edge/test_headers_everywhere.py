"""Every response carries the security headers, including those no app middleware sees: the 404 and
405 that routing raises, and the 401 of the token middleware (web/security.py, a before_send hook)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import client_as

pytestmark = pytest.mark.anyio


def assert_secure(response) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], response.request.url
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "same-origin"


async def test_unknown_pages_and_api_paths_are_404_with_the_headers(app):
    client = await client_as(app, "anonymous")
    for path in ("/no-such-page", "/api/v1/no-such-thing", "/cases/x/y/z/w"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert_secure(response)
    page = await client.get("/no-such-page")
    assert "Page not found" in page.text
    # The error page's inline script runs under the nonce the header allows.
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in page.text
    await client.aclose()


async def test_a_method_the_route_does_not_take_is_405_with_the_headers(app):
    client = await client_as(app, "anonymous")
    for method, path in (("DELETE", "/sign-in"), ("PUT", "/api/v1/deadlines"), ("PATCH", "/")):
        response = await client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert_secure(response)
    await client.aclose()


async def test_a_bad_api_token_is_401_with_the_headers(app):
    client = await client_as(app, "anonymous")
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert_secure(response)
    page = await client.get("/home", headers={"Authorization": "Bearer not-a-token"})
    assert page.status_code in {302, 401}
    assert_secure(page)
    await client.aclose()


async def test_signed_in_pages_and_api_answers_keep_their_headers(app):
    client = await client_as(app, "family")
    for path in ("/home", "/api/v1/me"):
        response = await client.get(path)
        assert response.status_code == 200
        assert_secure(response)
    asset = await client.get("/assets/govuk-frontend.min.css")
    assert asset.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in asset.headers.get("cache-control", "")
    await client.aclose()
