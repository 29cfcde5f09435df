"""Test set-up: one fresh database per run (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
the app's own lifespan (migrations and demo data), and httpx clients on the same event loop."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator

import pytest

# Tests import helpers from `tests.conftest`, which Python loads a second time under that name: the set-up
# below must happen once per run, or a second import would point DATABASE_URL at another, empty database.
_FIRST_IMPORT = os.environ.get("MEDIATION_TEST_RUN") != str(os.getpid())
if _FIRST_IMPORT:
    os.environ["MEDIATION_TEST_RUN"] = str(os.getpid())
    _tmp = tempfile.mkdtemp(prefix="mediation-tests-")
    os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.sqlite"
    # Two PostgreSQL roles, as in production: the app connects as DATABASE_URL's (non-owner) role, the
    # migrations and the schema reset as the owner's. Unset: one role does everything.
    os.environ.pop("MIGRATION_DATABASE_URL", None)
    if os.environ.get("TEST_MIGRATION_DATABASE_URL"):
        os.environ["MIGRATION_DATABASE_URL"] = os.environ["TEST_MIGRATION_DATABASE_URL"]
DATABASE_URL = os.environ["DATABASE_URL"]
MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL") or DATABASE_URL
os.environ["SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["DEMO_DATA"] = "1"
os.environ["RUN_SCHEDULER"] = "0"
os.environ["MAILBOX"] = "1"  # the demo mailbox page on either database (its default is off on PostgreSQL)
os.environ.pop("SMTP_HOST", None)
os.environ["MEDIATION_FAST_HASH"] = "1"
os.environ["PICCOLO_CONF"] = "mediation.piccolo_conf"

import httpx  # noqa: E402

from mediation.settings import DatabaseConfig  # noqa: E402

DEMO_PASSWORD = "Demo-password-2026"
DEMO_EMAILS = {
    "family": "family@example.com",
    "other_family": "other.family@example.com",
    "la_coordinator": "coordinator@milton-keynes.example",
    "health_commissioner": "commissioner@blmk-icb.example",
    "mediator": "mediator@independent-mediation.example",
    "admin": "admin@send-mediation.example",
}
ROLES = ["anonymous", *DEMO_EMAILS]


def _reset_postgres(url: str) -> None:
    """Start every run from an empty schema, so migrations are tested from nothing: as the role that runs
    the migrations (the owner), so the new schema and everything migrated into it are the owner's."""
    import asyncio

    from mediation.db import connect

    async def reset() -> None:
        conn = await connect(DatabaseConfig.from_url(url))
        try:
            await conn.execute(
                "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public AUTHORIZATION CURRENT_USER;"
            )
        finally:
            await conn.close()

    asyncio.run(reset())


if _FIRST_IMPORT and DATABASE_URL.startswith("postgres"):
    _reset_postgres(MIGRATION_DATABASE_URL)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[object]:
    from mediation.app import create_app

    application = create_app()
    async with application.lifespan():
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    ) as c:
        yield c


CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, page: str = "/sign-in") -> str:
    """The CSRF token a real browser would get from a form page (and its cookie)."""
    response = await client.get(page)
    match = CSRF_FIELD.search(response.text)
    if match:
        return match.group(1)
    return client.cookies.get("csrftoken", "")


async def sign_in(client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    token = await csrf_token(client, "/sign-in")
    response = await client.post(
        "/sign-in", data={"email": email, "password": password, "next": "/home", "_csrf_token": token}
    )
    assert response.status_code == 303, f"sign-in as {email} failed: {response.status_code}"
    return response


async def client_as(app: object, role: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )
    if role != "anonymous":
        await sign_in(c, DEMO_EMAILS[role])
    return c
