"""The client address that throttling and the audit log see comes from the connection, not from a
header anyone can send, unless FORWARDED_ALLOW_IPS names the proxy in front."""

import dataclasses

import httpx
import pytest
import uvicorn

from main import proxy_options
from mediation.accounts.tables import SignInThrottle
from mediation.accounts.throttle import _digest
from mediation.settings import Settings
from tests.conftest import CSRF_FIELD

pytestmark = pytest.mark.anyio


def _served(app, config: Settings, connecting_from: str) -> httpx.AsyncClient:
    """The app wrapped exactly as `python main.py` has uvicorn wrap it, reached from one address."""
    server = uvicorn.Config(app, log_config=None, **proxy_options(config))
    server.load()
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=server.loaded_app, client=(connecting_from, 41000)),
        base_url="http://testserver.local",
    )


async def _guess_from_many_forwarded_addresses(client: httpx.AsyncClient, email: str) -> list[int]:
    token = CSRF_FIELD.search((await client.get("/sign-in")).text).group(1)
    statuses = []
    for n in range(6):
        response = await client.post(
            "/sign-in",
            data={"email": email, "password": "not-the-password", "_csrf_token": token},
            headers={"X-Forwarded-For": f"192.0.2.{n + 1}"},
        )
        statuses.append(response.status_code)
    return statuses


async def test_by_default_x_forwarded_for_does_not_change_the_client_address(app):
    """The attack as measured: a local caller (127.0.0.1) sending a new X-Forwarded-For each time."""
    assert Settings().forwarded_allow_ips == ""
    try:
        async with _served(app, Settings(), "127.0.0.1") as client:
            statuses = await _guess_from_many_forwarded_addresses(client, "forwarded-default@example.com")
    finally:
        # The suite signs in from 127.0.0.1 throughout: do not leave it six failures nearer its limit.
        await SignInThrottle.delete().where(SignInThrottle.bucket == _digest("client", "127.0.0.1"))
    # Every guess counted against the one connecting address: the sixth must wait.
    assert statuses == [400] * 5 + [429]


async def test_a_configured_proxy_passes_on_the_real_client_address(app):
    config = dataclasses.replace(Settings(), forwarded_allow_ips="203.0.113.22")
    async with _served(app, config, "203.0.113.22") as client:
        statuses = await _guess_from_many_forwarded_addresses(client, "forwarded-proxy@example.com")
    # Six different people behind the proxy: none of them is held up by the others.
    assert statuses == [400] * 6


async def test_a_caller_that_is_not_the_configured_proxy_cannot_choose_its_address(app):
    config = dataclasses.replace(Settings(), forwarded_allow_ips="203.0.113.23")
    async with _served(app, config, "203.0.113.24") as client:
        statuses = await _guess_from_many_forwarded_addresses(client, "forwarded-other@example.com")
    assert statuses == [400] * 5 + [429]


def test_the_setting_lists_proxies_separated_by_commas():
    config = dataclasses.replace(Settings(), forwarded_allow_ips="10.0.0.5, 10.0.0.6")
    assert proxy_options(config) == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.5", "10.0.0.6"]}
    assert proxy_options(Settings()) == {"proxy_headers": False, "forwarded_allow_ips": ""}
