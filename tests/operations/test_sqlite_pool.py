"""SQLite keeps its connections: a query outside a transaction borrows one of a few open connections
instead of opening a connection and a thread of its own (issue 17: /health at 15% of the ceiling)."""

from __future__ import annotations

import datetime as dt
import uuid

import aiosqlite
import anyio
import pytest

from mediation import db
from mediation.organisations.tables import Organisation

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite_only(app):
    if db.is_postgres():
        pytest.skip("PostgreSQL has its own pool (asyncpg)")


@pytest.fixture
def connects(monkeypatch):
    opened = []
    real = aiosqlite.connect

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", counting)
    return opened


async def test_fifty_queries_one_after_another_open_at_most_one_connection(sqlite_only, connects):
    for _ in range(50):
        await Organisation.count()
    assert len(connects) <= 1


async def test_a_failed_write_leaves_no_connection_holding_the_database(sqlite_only):
    code = f"POOL-{uuid.uuid4().hex[:8]}"
    row = {
        "name": "Pool test",
        "kind": "local_authority",
        "code": code,
        "created_at": dt.datetime.now(dt.UTC),
    }
    await Organisation.insert(Organisation(**row))
    with pytest.raises(Exception) as refused:
        await Organisation.insert(Organisation(**row))  # the code is unique
    assert db.is_unique_violation(refused.value)
    with anyio.fail_after(5):  # a connection left in its failed write would hold the lock for 30 s
        async with db.transaction():
            await Organisation.update({Organisation.name: "Pool test, renamed"}).where(
                Organisation.code == code
            )
    assert await Organisation.count().where(Organisation.name == "Pool test, renamed") == 1
