"""The public calculators skip the session, the signed-in person and the view audit, and the security
headers are added in one pass from values encoded once: each response still carries every header once."""

from __future__ import annotations

import contextlib

import pytest

from mediation.web.security import security_headers

pytestmark = pytest.mark.anyio

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}


def _run(message: dict, scope: dict) -> list[tuple[bytes, bytes]]:
    coro = security_headers(message, scope)  # type: ignore[arg-type]
    with contextlib.suppress(StopIteration):
        coro.send(None)
    return message["headers"]


def test_the_security_headers_replace_a_handlers_own_and_appear_once():
    message = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"X-Frame-Options", b"SAMEORIGIN"), (b"content-type", b"text/html"), (b"etag", b"1")],
    }
    headers = _run(message, {"path": "/home", "state": {"csp_nonce": "abc"}})
    names = [name for name, _ in headers]
    assert len(names) == len(set(names))
    found = {name.decode(): value.decode() for name, value in headers}
    assert {k: found[k] for k in EXPECTED} == EXPECTED
    assert "'nonce-abc'" in found["content-security-policy"]
    assert found["content-type"] == "text/html" and found["etag"] == "1"  # the handler's own stay


def test_assets_keep_their_caching():
    headers = _run(
        {"type": "http.response.start", "status": 200, "headers": [(b"cache-control", b"max-age=3600")]},
        {"path": "/assets/app.css", "state": {}},
    )
    found = dict(headers)
    assert found[b"cache-control"] == b"max-age=3600"
    assert b"nonce-" not in found[b"content-security-policy"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/deadlines", {"rule": "appeal", "inputs": {"notice_sent": "2026-12-01"}}),
        ("/api/v1/routing", {"decision": "plan_contents", "sections": ["F", "G"]}),
    ],
)
async def test_the_public_calculators_answer_without_a_session_even_when_signed_in(app, path, body):
    from tests.conftest import client_as

    client = await client_as(app, "la_coordinator")
    try:
        response = await client.post(path, json=body)
        assert response.status_code == 200, response.text
        assert "set-cookie" not in response.headers  # the session is neither read nor renewed
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert (await client.get("/home")).status_code == 200  # still signed in for everything else
    finally:
        await client.aclose()
