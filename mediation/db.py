"""Database start-up: apply pending migrations (once, even when several processes start together)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine

log = logging.getLogger(__name__)

# Arbitrary constant: the PostgreSQL advisory lock that serialises start-up (migrations, demo data).
MIGRATION_LOCK_ID = 7_215_004


def engine() -> Engine:
    found = engine_finder()
    if found is None:  # pragma: no cover - PICCOLO_CONF is set by the package
        raise RuntimeError("no Piccolo engine configured")
    return found


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


@contextlib.asynccontextmanager
async def startup_lock() -> AsyncIterator[None]:
    db = engine()
    if db.engine_type != "postgres":
        yield
        return
    import asyncpg  # PostgreSQL only

    conn = await asyncpg.connect(**db.config)  # type: ignore[attr-defined]
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
        await conn.close()


async def migrate() -> None:
    """Apply every pending migration; raise if one fails (the service must not start half-migrated).

    Call inside `startup_lock()` so processes starting together take turns.
    """
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        result = await ForwardsMigrationManager(app_name="mediation").run()
    for line in output.getvalue().splitlines():
        if line.strip():
            log.info("migrations: %s", line.strip())
    if not result.success:
        raise RuntimeError(f"database migration failed: {result.message}")


def transaction():  # type: ignore[no-untyped-def]
    """A write transaction; on SQLite take the write lock up front so read-then-write never deadlocks."""
    db = engine()
    if db.engine_type == "sqlite":
        from piccolo.engine.sqlite import TransactionType

        return db.transaction(transaction_type=TransactionType.immediate)  # type: ignore[call-arg]
    return db.transaction()


def is_unique_violation(exc: BaseException) -> bool:
    """A unique index refused the write (sqlite3.IntegrityError, or PostgreSQL SQLSTATE 23505), however the
    driver wraps it."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) == "23505":
            return True
        if type(seen).__name__ == "IntegrityError" and "UNIQUE" in str(seen).upper():
            return True
        seen = seen.__cause__ or seen.__context__
    return False
