"""The stateless public routes (the calculators, the rule catalogue, /health) sit outside the service
router: no session, signed-in user, CSRF or view-audit middleware and no route guard, each of which cost
every request a call (and the guard a copy of the handler) for nothing. Every other route keeps all of it.
/health takes a database it reached within the last second on trust, and forgets it as soon as any request
finds the database unreachable."""

from __future__ import annotations

import asyncpg
import pytest

from mediation import app as app_module
from mediation import db
from mediation.cases import api as cases_api
from mediation.web import system
from tests.conftest import client_as

pytestmark = pytest.mark.anyio

STATELESS_PATHS = {"/health", "/api/v1/deadlines", "/api/v1/routing", "/api/v1/rules"}


def _handlers(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if handler.http_methods != {"OPTIONS"}:  # Litestar's own, added to every path
                yield route.path, handler


def _middleware_names(handler) -> set[str]:
    names = set()
    for layer in handler.resolve_middleware():
        middleware = getattr(layer, "middleware", layer)
        names.add(getattr(middleware, "__name__", type(middleware).__name__))
    return names


async def test_only_the_stateless_routes_and_static_assets_skip_the_guard_and_middleware(app) -> None:
    skipping = set()
    for path, handler in _handlers(app):
        if app_module.guard in handler.resolve_guards():
            names = _middleware_names(handler)
            assert {"DeferredViewAuditMiddleware", "CurrentUserMiddleware"} <= names, (path, names)
            assert "TokenAwareCSRFMiddleware" in names, (path, names)
            continue
        assert handler.opt.get("action") == "public", path
        assert handler.resolve_middleware() == [], path
        skipping.add(path)
    static = {p for p in skipping if p.startswith(("/assets", "/static", "/schema"))}
    assert skipping - static == STATELESS_PATHS


async def test_the_stateless_routes_read_no_credential_and_touch_no_session(app) -> None:
    # The user middleware refuses a Bearer token it does not know; outside it, nobody looks.
    bogus = {"Authorization": "Bearer not-a-token"}
    browser = await client_as(app, "la_coordinator")  # a signed-in session cookie comes with every call
    body = {"rule": "appeal", "inputs": {"notice_sent": "2026-12-01"}}
    for method, path, kwargs in [
        ("POST", "/api/v1/deadlines", {"json": body}),
        ("POST", "/api/v1/routing", {"json": {"decision": "plan_contents", "sections": ["F"]}}),
        ("GET", "/api/v1/rules", {}),
        ("GET", "/health", {}),
    ]:
        response = await browser.request(method, path, headers=bogus, **kwargs)
        assert response.status_code == 200, (path, response.text)
        assert "set-cookie" not in response.headers, path  # the session was neither read nor rotated
        assert response.headers["x-content-type-options"] == "nosniff"  # security headers still on it
    assert (await browser.get("/api/v1/cases", headers=bogus)).status_code == 401


@pytest.fixture
def probes(monkeypatch):
    """Counts /health's database probes, on a clock the test moves; starts with nothing trusted."""
    engine_class = type(db.engine())  # the engines have __slots__: patch the class
    seen: list[str] = []
    real = engine_class.run_ddl
    now = [1_000.0]

    async def counted(self, ddl, *args, **kwargs):
        seen.append(ddl)
        return await real(self, ddl, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_ddl", counted)
    monkeypatch.setattr(system.time, "monotonic", lambda: now[0])
    system.forget_reachable()
    yield seen, now
    system.forget_reachable()


async def test_health_asks_the_database_at_most_once_a_second(client, probes) -> None:
    seen, now = probes
    for _ in range(5):
        assert (await client.get("/health")).json()["database"] == "reachable"
    assert seen == ["SELECT 1"]
    now[0] += system.TRUSTED_FOR_SECONDS
    assert (await client.get("/health")).status_code == 200
    assert seen == ["SELECT 1", "SELECT 1"]


async def test_health_reports_an_outage_another_request_met_at_once(app, probes, monkeypatch) -> None:
    seen, _now = probes
    api = await client_as(app, "la_coordinator")
    assert (await api.get("/health")).status_code == 200
    down = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    async def fail(*args, **kwargs):
        raise down

    monkeypatch.setattr(cases_api, "queue_page", fail)
    assert (await api.get("/api/v1/cases")).status_code == 503
    monkeypatch.setattr(type(db.engine()), "run_ddl", fail)
    health = await api.get("/health")  # the same second: not taken on trust any more
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "unreachable", "engine": db.engine().engine_type}
