"""A staff view of a case is audited after the page has been sent (the person never waits for the insert),
and is still written for every normal response."""

from __future__ import annotations

import httpx
import pytest

from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from tests.accounts.test_session_snapshot import _their_case
from tests.conftest import DEMO_EMAILS, sign_in

pytestmark = pytest.mark.anyio


async def _views(reference: str) -> int:
    case = await Disagreement.select(Disagreement.id).where(Disagreement.reference == reference).first()
    return await AuditEvent.count().where(
        (AuditEvent.disagreement_id == case["id"]) & (AuditEvent.action == "view")
    )


async def test_a_case_view_is_written_after_the_response_and_never_lost(app, monkeypatch):
    sent: list[dict] = []

    async def recording_app(scope, receive, send):  # noqa: ANN001, ANN202 - ASGI
        async def recording_send(message):  # noqa: ANN001, ANN202
            sent.append(message)
            await send(message)

        await app(scope, receive, recording_send)

    finished_when_written: list[bool] = []
    real_record_many = audit.record_many

    async def record_many(rows):  # noqa: ANN001, ANN202
        finished = any(m["type"] == "http.response.body" and not m.get("more_body") for m in sent)
        finished_when_written.append(finished)
        await real_record_many(rows)

    monkeypatch.setattr(audit, "record_many", record_many)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=recording_app), base_url="http://testserver.local"
    )
    try:
        await sign_in(client, DEMO_EMAILS["la_coordinator"])
        reference = await _their_case(DEMO_EMAILS["la_coordinator"])
        before = await _views(reference)
        sent.clear()
        finished_when_written.clear()
        response = await client.get(f"/cases/{reference}")
        assert response.status_code == 200
        assert await _views(reference) == before + 1  # written by the time the request is over
        assert finished_when_written == [True]  # ...and only after the page had been sent
    finally:
        await client.aclose()


async def test_a_view_outside_a_request_is_written_at_once():
    await audit.record(actor=None, action="view", entity="disagreement", entity_id="SM-TEST", summary="x")
    assert await AuditEvent.count().where((AuditEvent.entity_id == "SM-TEST") & (AuditEvent.action == "view"))
