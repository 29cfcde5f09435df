"""Database start-up: apply pending migrations (once, even when several processes start together).

On PostgreSQL the service may run as a role that owns nothing (DATABASE_URL) while the migrations run as the
role that owns every table (MIGRATION_DATABASE_URL): then, after migrating, the owner grants the app role
what it needs and no more, so even the service's own SQL cannot empty, change or unprotect the audit log.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine

from mediation.settings import DatabaseConfig, Settings, settings

log = logging.getLogger(__name__)

# Arbitrary constant: the PostgreSQL advisory lock that serialises start-up (migrations, demo data).
MIGRATION_LOCK_ID = 7_215_004
ALREADY_COMPLETE = re.compile(r"\d+ migrations? already complete")


def engine() -> Engine:
    found = engine_finder()
    if found is None:  # pragma: no cover - PICCOLO_CONF is set by the package
        raise RuntimeError("no Piccolo engine configured")
    return found


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


async def _release_as_is(connection: Any) -> None:
    """Run on a pooled connection as it goes back. asyncpg has already rolled back any open transaction;
    by default it would then send `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` too: a
    second round trip for every Piccolo query, since Piccolo takes a connection per query. The service
    never leaves session state on a pooled connection (its advisory locks are transaction-scoped; the
    scheduler lease and the migration lock hold connections of their own), so there is nothing to reset."""


async def start_pool(db: Engine | None = None, **options: Any) -> None:
    """Start the PostgreSQL pool every process uses (web workers, commands): one place for its options."""
    db = db or engine()
    if db.engine_type == "postgres":
        # PostgresEngine passes these to asyncpg.create_pool; the base Engine type does not declare them.
        await db.start_connection_pool(reset=_release_as_is, **options)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def connection_pool() -> AsyncIterator[None]:
    """The app's PostgreSQL pool for a command's lifetime: without it Piccolo opens a connection per
    query (a CLI sweep sent ~8,000 messages in 147 s unpooled against ~40,000 a minute pooled)."""
    db = engine()
    if db.engine_type != "postgres":
        yield
        return
    await start_pool(db)
    try:
        yield
    finally:
        await db.close_connection_pool()


@contextlib.asynccontextmanager
async def startup_lock() -> AsyncIterator[None]:
    db = engine()
    if db.engine_type != "postgres":
        yield
        return
    import asyncpg  # PostgreSQL only

    conn = await asyncpg.connect(**db.config)  # type: ignore[attr-defined]  # engine() is typed as Piccolo's base Engine; `config` is PostgresEngine's, the only one here
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        yield
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
        await conn.close()


async def migrate(config: Settings = settings) -> None:
    """Apply every pending migration; raise if one fails (the service must not start half-migrated).

    Migrations run as the owner role when MIGRATION_DATABASE_URL names one, which then grants the app role
    its privileges (refusing to start if the app role could act as the owner). Call inside `startup_lock()`
    so processes starting together take turns.
    """
    output = io.StringIO()
    async with _migration_engine(config):
        already_ran = await _migrations_already_run()
        with contextlib.redirect_stdout(output):
            result = await ForwardsMigrationManager(app_name="mediation").run()
    for line in output.getvalue().splitlines():
        if ALREADY_COMPLETE.search(line):
            # Piccolo counts every migration it knows here, run or not ("12 already complete" on an empty
            # database, then "12 not yet run"): log the number that had really run.
            line = f"{already_ran} migration{'s' if already_ran != 1 else ''} already complete"
        if line.strip():
            log.info("migrations: %s", line.strip())
    if not result.success:
        raise RuntimeError(f"database migration failed: {result.message}")
    if config.separate_migration_role:
        await grant_app_role(config.migration_database, app_role=config.database.user)
    elif is_postgres():
        await _warn_if_app_owns_audit_log()


async def _migrations_already_run() -> int:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return 0
    return len(await Migration.get_migrations_which_ran(app_name="mediation"))


@contextlib.asynccontextmanager
async def _migration_engine(config: Settings) -> AsyncIterator[None]:
    """While migrations run, every Piccolo query (the migrations' own and their bookkeeping) goes through
    the owner role's engine; nothing else runs at start-up, inside the start-up lock."""
    if not config.separate_migration_role:
        yield
        return
    from piccolo.apps.migrations.tables import Migration

    from mediation import piccolo_conf

    owner = piccolo_conf.engine_for(config.migration_database)
    # The owner engine is PostgreSQL here (separate_migration_role); the union type also allows SQLite.
    await owner.start_connection_pool(min_size=1, max_size=2)  # type: ignore[call-arg]
    app_engine, bookkeeping = piccolo_conf.DB, Migration._meta._db
    piccolo_conf.DB = owner
    Migration._meta.db = owner
    try:
        yield
    finally:
        piccolo_conf.DB = app_engine
        Migration._meta._db = bookkeeping
        await owner.close_connection_pool()


async def connect(db: DatabaseConfig) -> Any:
    """A plain asyncpg connection (PostgreSQL only), outside Piccolo's pool."""
    import asyncpg

    return await asyncpg.connect(
        host=db.host, port=db.port, user=db.user, password=db.password or None, database=db.database
    )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def app_role_grants(owner_role: str, app_role: str) -> list[str]:
    """What the app role may do, all of it granted by the owner: read and write the ordinary tables, use
    their sequences, only add to and read the audit log; the same for tables future migrations create."""
    owner, app = _ident(owner_role), _ident(app_role)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC, {app}",
        # Which migrations ran is the owner's to record.
        f"REVOKE INSERT, UPDATE, DELETE ON migration FROM {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE ON SEQUENCES TO {app}",
    ]


async def grant_app_role(owner: DatabaseConfig, *, app_role: str) -> None:
    """As the owner: refuse an app role that could act as the owner, then grant it its privileges."""
    conn = await connect(owner)
    try:
        await _refuse_unsafe_app_role(conn, owner_role=owner.user, app_role=app_role)
        async with conn.transaction():
            for statement in app_role_grants(owner.user, app_role):
                await conn.execute(statement)
    finally:
        await conn.close()


async def _refuse_unsafe_app_role(conn: Any, *, owner_role: str, app_role: str) -> None:
    fix = (
        f"run scripts/create_db_roles.sh DATABASE {owner_role} {app_role} as a superuser "
        "(see the README), or leave MIGRATION_DATABASE_URL unset"
    )
    role = await conn.fetchrow(
        "SELECT rolsuper, rolbypassrls, pg_has_role($1, $2, 'USAGE') AS acts_as_owner"
        " FROM pg_roles WHERE rolname = $1",
        app_role,
        owner_role,
    )
    if role is None:
        raise RuntimeError(f"the app role {app_role!r} (DATABASE_URL) does not exist: {fix}")
    if role["rolsuper"] or role["rolbypassrls"] or role["acts_as_owner"]:
        raise RuntimeError(
            f"the app role {app_role!r} (DATABASE_URL) is a superuser or can act as the owner role "
            f"{owner_role!r}, so it could empty or change the audit log: {fix}"
        )
    owned = await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)"
        " ORDER BY c.relname",
        app_role,
    )
    if owned:
        names = ", ".join(row["relname"] for row in owned[:5]) + (", ..." if len(owned) > 5 else "")
        raise RuntimeError(f"the app role {app_role!r} (DATABASE_URL) owns tables ({names}): {fix}")


async def _warn_if_app_owns_audit_log() -> None:
    rows = await engine().run_ddl(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') AS owner FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relname = 'audit_event'"
    )
    if rows and rows[0]["owner"]:
        log.warning(
            "the service runs as the owner of audit_event, which could empty it or disable its triggers: "
            "in production run it as a separate app role with MIGRATION_DATABASE_URL (see the README)"
        )


def transaction():
    """A write transaction; on SQLite take the write lock up front so read-then-write never deadlocks."""
    db = engine()
    if db.engine_type == "sqlite":
        from piccolo.engine.sqlite import TransactionType

        return db.transaction(transaction_type=TransactionType.immediate)
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
