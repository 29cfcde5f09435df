"""The route guard runs on the event loop. Litestar runs a sync guard in a worker thread (and copies the
handler once per guard), so two sync guards cost every request two thread hops: about 150 us of the
public calculators' 250 us of CPU (`python -m benchmarks.public_api_probe`)."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from mediation import app as app_module

pytestmark = pytest.mark.anyio


async def test_the_service_has_one_guard_and_it_is_a_coroutine_function(app) -> None:
    guarded = {
        tuple(handler.resolve_guards())
        for route in app.routes
        for handler in getattr(route, "route_handlers", ())
        if handler.resolve_guards()
    }
    assert guarded == {(app_module.guard,)}
    assert inspect.iscoroutinefunction(app_module.guard)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/deadlines", {"rule": "appeal", "inputs": {"notice_sent": "2026-12-01"}}),
        ("/api/v1/routing", {"decision": "plan_contents", "sections": ["F", "G"]}),
    ],
)
async def test_a_public_calculation_takes_no_thread_hop(client, monkeypatch, path, body) -> None:
    loop = asyncio.get_running_loop()
    hops: list[object] = []
    real = loop.run_in_executor

    def counted(executor, func, *args):
        hops.append(func)
        return real(executor, func, *args)

    monkeypatch.setattr(loop, "run_in_executor", counted)
    response = await client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert hops == []


async def test_the_guard_still_refuses_and_still_rejects_a_bad_parameter(client) -> None:
    # Both halves of the one guard: the permission (a page for staff, signed out) and the parameter check.
    signed_out = await client.get("/home")
    assert signed_out.status_code in (302, 303) and signed_out.headers["location"].startswith("/sign-in")
    response = await client.get("/accessibility?page=99999999999999999999")
    assert response.status_code == 400, response.text
    assert "too large a number" in response.text
