"""With REDIS_URL set, sessions live in Redis and any app process serves the signed-in user."""

import dataclasses
import socket

import httpx
import pytest

from mediation.accounts.tables import HttpSession
from mediation.settings import settings
from tests.conftest import DEMO_EMAILS, sign_in

pytestmark = pytest.mark.anyio
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_is_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_is_running(), reason="no Redis server on 127.0.0.1:6379")
async def test_sessions_can_live_in_redis_and_are_shared_by_processes(app):
    from mediation.app import create_app

    config = dataclasses.replace(settings, redis_url=REDIS_URL)
    first, second = create_app(config), create_app(config)
    transport = httpx.ASGITransport
    async with (
        httpx.AsyncClient(transport=transport(app=first), base_url="http://testserver.local") as one,
        httpx.AsyncClient(transport=transport(app=second), base_url="http://testserver.local") as two,
    ):
        await sign_in(one, DEMO_EMAILS["health_commissioner"])
        session_id = one.cookies.get("session")
        assert not await HttpSession.exists().where(HttpSession.key == session_id)
        two.cookies.set("session", session_id, domain="testserver.local")
        me = await two.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == DEMO_EMAILS["health_commissioner"]


@pytest.mark.skipif(not _redis_is_running(), reason="no Redis server on 127.0.0.1:6379")
async def test_disabling_an_account_ends_its_sessions_in_redis_too(app):
    """Re-enabling must not bring a session back: the session is deleted from Redis, not just refused."""
    from mediation.accounts.staff import disable_staff, enable_staff
    from mediation.app import create_app
    from tests.mediation.helpers import org_id, person

    config = dataclasses.replace(settings, redis_url=REDIS_URL)
    served = create_app(config)
    officer = await person("la_coordinator", await org_id("E06000042"), "Rae Redis")
    admin = await person("admin", None, "Ray Redisadmin")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served), base_url="http://testserver.local"
    ) as c:
        await sign_in(c, officer.email)
        assert (await c.get("/api/v1/me")).status_code == 200
        store = served.stores.get("sessions")
        await disable_staff(officer.id, actor=admin, store=store)
        await enable_staff(officer.id, actor=admin)
        assert (await c.get("/api/v1/me")).status_code == 401
