"""The PostgreSQL pool every process starts (mediation.db.start_pool): a pooled query is one round trip.

Piccolo takes a pool connection for each query; asyncpg's default release then sends a reset
(`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`), a second statement per query that cost
about 1 ms of CPU on a JSON queue request. The service keeps no session state on pooled connections, so
the pool is started without it; an open transaction is still rolled back before the connection is reused.
"""

import pytest
from piccolo.engine.postgres import PostgresEngine

from mediation import db, piccolo_conf
from mediation.settings import settings

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not db.is_postgres(), reason="the asyncpg pool is PostgreSQL's"),
]


@pytest.fixture
async def one_connection_pool():
    engine = piccolo_conf.engine_for(settings.database)
    assert isinstance(engine, PostgresEngine)
    await db.start_pool(engine, min_size=1, max_size=1)
    sent: list[str] = []
    async with engine.pool.acquire() as connection:
        connection.add_query_logger(lambda record: sent.append(record.query))
    try:
        yield engine, sent
    finally:
        await engine.close_connection_pool()


async def test_a_pooled_query_sends_only_itself(one_connection_pool):
    engine, sent = one_connection_pool
    for n in range(3):
        assert [dict(row) for row in await engine._run_in_pool(f"SELECT {n} AS n")] == [{"n": n}]
    assert sent == ["SELECT 0 AS n", "SELECT 1 AS n", "SELECT 2 AS n"]


async def test_a_transaction_left_open_is_rolled_back_before_reuse(one_connection_pool):
    engine, _ = one_connection_pool
    async with engine.pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMPORARY TABLE left_open (n int) ON COMMIT DROP")
    async with engine.pool.acquire() as connection:
        assert not connection.is_in_transaction()
        assert await connection.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
