"""A refusal a capability raises (`mediation/errors.py`) answers as a Litestar refusal did before: the same
status and `detail` in JSON under /api, the same GOV.UK error page (title and message) elsewhere, and a
throttle's 429 keeps its Retry-After."""

from __future__ import annotations

import pytest
from litestar import get
from litestar.testing import create_test_client

from mediation.accounts.errors import Throttled
from mediation.errors import ServiceError
from mediation.web.errors import service_error_handler
from tests.conftest import client_as
from tests.edge.helpers import token_client

pytestmark = pytest.mark.anyio


async def test_an_api_404_is_json_with_its_detail(app):
    client = await token_client(app, "la_coordinator")
    response = await client.get("/api/v1/cases/NO-SUCH-CASE")
    await client.aclose()
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert (body["status_code"], body["detail"]) == (404, "Case not found")


async def test_a_page_404_is_the_gov_uk_page_not_found_page_like_an_unknown_address(app):
    client = await client_as(app, "la_coordinator")
    missing_case = await client.get("/cases/NO-SUCH-CASE")
    unknown_path = await client.get("/no-such-page")
    await client.aclose()
    for page in (missing_case, unknown_path):
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "<title>Page not found" in page.text
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.text
        assert "If you typed the web address, check it is correct." in page.text


async def test_a_bad_query_parameter_is_still_a_400_with_its_detail(app):
    client = await token_client(app, "la_coordinator")
    response = await client.get("/api/v1/cases?risk=dreadful")
    await client.aclose()
    assert response.status_code == 400
    assert response.json()["detail"].startswith("risk must be one of ")


async def test_an_unanswerable_public_question_is_still_a_422_with_its_detail(app):
    client = await client_as(app, "anonymous")
    response = await client.post("/api/v1/deadlines", json={"rule": "no_such_rule", "inputs": {}})
    await client.aclose()
    assert response.status_code == 422
    assert "no_such_rule" in response.json()["detail"]


def test_a_throttle_that_reaches_the_one_handler_keeps_its_retry_after() -> None:
    @get("/api/v1/limited", sync_to_thread=False)
    def limited() -> None:
        raise Throttled("Too many requests. Wait 2 minutes and try again.", retry_after=120)

    with create_test_client([limited], exception_handlers={ServiceError: service_error_handler}) as client:
        api = client.get("/api/v1/limited")
        assert api.status_code == 429 and api.headers["retry-after"] == "120"
        assert api.json()["detail"] == "Too many requests. Wait 2 minutes and try again."
        assert api.json()["errors"] == {"email": "Too many requests. Wait 2 minutes and try again."}
