"""The audit log is append-only even against the app's own SQL.

PostgreSQL with two roles (TEST_MIGRATION_DATABASE_URL, as `.ci/run` does): the app role cannot empty,
change, drop or unprotect audit_event; a TRUNCATE trigger refuses even a role holding the privilege.
SQLite: triggers refuse UPDATE, DELETE (with or without WHERE) and INSERT OR REPLACE of a logged row.
Every attempt runs in a transaction that is rolled back, so a regression cannot empty the shared database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from mediation import db
from mediation.audit.tables import AuditEvent
from mediation.settings import DatabaseConfig, Settings, settings

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]

postgres_only = pytest.mark.skipif(not settings.database_url.startswith("postgres"), reason="PostgreSQL only")
sqlite_only = pytest.mark.skipif(not settings.database_url.startswith("sqlite"), reason="SQLite only")
two_roles_only = pytest.mark.skipif(
    not settings.separate_migration_role,
    reason="needs the two PostgreSQL roles: TEST_MIGRATION_DATABASE_URL (see .ci/run)",
)

INSUFFICIENT_PRIVILEGE = "42501"  # also "must be owner of table"

AS_THE_APP_ROLE = {
    "truncate": "TRUNCATE audit_event",
    "delete": "DELETE FROM audit_event",
    "update": "UPDATE audit_event SET summary = 'tampered'",
    "upsert": "INSERT INTO audit_event (id, at, actor_label, action, entity, entity_id, summary, client)"
    " SELECT id, at, actor_label, action, entity, entity_id, summary, client FROM audit_event"
    " ON CONFLICT (id) DO UPDATE SET summary = 'tampered'",
    "disable triggers": "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "drop a trigger": "DROP TRIGGER audit_event_no_change ON audit_event",
    "drop the table": "DROP TABLE audit_event",
    "rename the table": "ALTER TABLE audit_event RENAME TO audit_event_old",
    "take ownership": f'ALTER TABLE audit_event OWNER TO "{settings.database.user}"',
    "replace the trigger function": "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger"
    " AS $$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql",
    "skip triggers": "SET session_replication_role = replica",
}


@contextlib.asynccontextmanager
async def _rolled_back(database: DatabaseConfig) -> AsyncIterator[Any]:
    """A connection as that role, in a transaction that is always rolled back."""
    conn = await db.connect(database)
    transaction = conn.transaction()
    await transaction.start()
    try:
        yield conn
    finally:
        await transaction.rollback()
        await conn.close()


async def _count_as(conn) -> int:
    return await conn.fetchval("SELECT count(*) FROM audit_event")


async def _refused(conn, statement: str) -> BaseException:
    """Run the statement in a transaction that is always rolled back; return what refused it."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute(statement)
    except Exception as exc:  # noqa: BLE001 - asyncpg's own exception types
        return exc
    finally:
        await transaction.rollback()
    raise AssertionError(f"the database allowed: {statement}")


@postgres_only
@two_roles_only
async def test_postgres_two_roles_the_app_connects_as_a_role_that_does_not_own_the_audit_log(app):
    rows = await AuditEvent.raw(
        "SELECT current_user AS me, pg_get_userbyid(relowner) AS owner"
        " FROM pg_class WHERE relname = 'audit_event'"
    )
    assert rows[0]["me"] == settings.database.user
    assert rows[0]["owner"] == settings.migration_database.user != rows[0]["me"]


@postgres_only
@two_roles_only
@pytest.mark.parametrize("statement", AS_THE_APP_ROLE.values(), ids=AS_THE_APP_ROLE.keys())
async def test_postgres_two_roles_the_app_role_cannot_empty_change_or_unprotect_the_audit_log(app, statement):
    conn = await db.connect(settings.database)
    try:
        before = await _count_as(conn)
        assert before > 0
        refusal = await _refused(conn, statement)
        assert getattr(refusal, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, refusal
        assert await _count_as(conn) == before
        assert await conn.fetchval("SELECT count(*) FROM audit_event WHERE summary = 'tampered'") == 0
    finally:
        await conn.close()


@postgres_only
@two_roles_only
async def test_postgres_two_roles_the_app_role_can_still_add_to_and_read_the_audit_log(app):
    conn = await db.connect(settings.database)
    try:
        privileges = await conn.fetchrow(
            "SELECT has_table_privilege('audit_event', 'INSERT') AS ins,"
            " has_table_privilege('audit_event', 'SELECT') AS sel,"
            " has_table_privilege('audit_event', 'UPDATE') AS upd,"
            " has_table_privilege('audit_event', 'DELETE') AS del,"
            " has_table_privilege('audit_event', 'TRUNCATE') AS trunc,"
            " has_table_privilege('audit_event', 'TRIGGER') AS trig,"
            " has_table_privilege('disagreement', 'UPDATE') AS case_update,"
            " has_table_privilege('migration', 'INSERT') AS migration_insert,"
            " has_schema_privilege('public', 'CREATE') AS create_in_schema"
        )
    finally:
        await conn.close()
    assert dict(privileges) == {
        "ins": True,
        "sel": True,
        "upd": False,
        "del": False,
        "trunc": False,
        "trig": False,
        "case_update": True,
        "migration_insert": False,
        "create_in_schema": False,
    }


@postgres_only
@two_roles_only
async def test_postgres_two_roles_the_app_role_cannot_grant_itself_truncate(app):
    async with _rolled_back(settings.database) as conn:
        # Not an error in PostgreSQL, only a warning that nothing was granted.
        await conn.execute(f'GRANT TRUNCATE, UPDATE, DELETE ON audit_event TO "{settings.database.user}"')
        held = await conn.fetchval("SELECT has_table_privilege('audit_event', 'TRUNCATE, UPDATE, DELETE')")
    assert held is False


@postgres_only
@two_roles_only
async def test_postgres_two_roles_tables_a_future_migration_creates_are_granted_to_the_app_role(app):
    async with _rolled_back(settings.migration_database) as owner:
        await owner.execute("CREATE TABLE future_capability (id serial PRIMARY KEY, note text)")
        granted = await owner.fetchrow(
            "SELECT has_table_privilege($1, 'future_capability', 'SELECT, INSERT, UPDATE, DELETE') AS rw,"
            " has_table_privilege($1, 'future_capability', 'TRUNCATE') AS trunc,"
            " has_sequence_privilege($1, 'future_capability_id_seq', 'USAGE') AS seq",
            settings.database.user,
        )
    assert dict(granted) == {"rw": True, "trunc": False, "seq": True}


@postgres_only
async def test_postgres_truncate_is_refused_by_a_trigger_even_for_a_role_holding_the_privilege(app):
    # The migration role owns the table and so holds TRUNCATE; only the trigger stands in its way.
    conn = await db.connect(settings.migration_database)
    try:
        assert await conn.fetchval("SELECT has_table_privilege('audit_event', 'TRUNCATE')")
        before = await _count_as(conn)
        refusal = await _refused(conn, "TRUNCATE audit_event")
        assert "append-only" in str(refusal)
        assert await _count_as(conn) == before > 0
    finally:
        await conn.close()


@postgres_only
async def test_postgres_an_app_role_that_could_act_as_the_owner_stops_the_start_up():
    owner = settings.migration_database
    for app_role, reason in [
        ("postgres", "superuser"),
        (owner.user, "act as the owner"),
        ("no_such_role_for_mediation", "does not exist"),
    ]:
        with pytest.raises(RuntimeError, match=reason):
            await db.grant_app_role(owner, app_role=app_role)


@postgres_only
async def test_postgres_a_service_running_as_the_owner_of_the_audit_log_is_warned(app, caplog):
    with caplog.at_level(logging.WARNING, logger="mediation.db"):
        await db._warn_if_app_owns_audit_log()
    warned = "runs as the owner of audit_event" in caplog.text
    assert warned is not settings.separate_migration_role


def test_migration_database_url_must_be_the_same_postgres_database_as_another_role():
    app_url = "postgres://mediation_app:pw@db.example:5432/mediation"
    same = Settings(
        database_url=app_url, migration_database_url="postgres://mediation_owner:pw2@db.example/mediation"
    )
    assert same.migration_database.user == "mediation_owner"
    assert same.migration_database.password == "pw2"
    assert same.separate_migration_role
    assert not Settings(database_url=app_url).separate_migration_role
    assert Settings(database_url=app_url).migration_database == Settings(database_url=app_url).database
    for wrong, reason in [
        ("postgres://mediation_owner@db.example:5432/other", "same host, port and database"),
        ("postgres://mediation_owner@elsewhere.example:5432/mediation", "same host, port and database"),
        ("sqlite:////tmp/x.sqlite", "PostgreSQL only"),
    ]:
        with pytest.raises(ValueError, match=reason):
            _ = Settings(database_url=app_url, migration_database_url=wrong).migration_database
    with pytest.raises(ValueError, match="PostgreSQL only"):
        _ = Settings(
            database_url="sqlite:////tmp/x.sqlite", migration_database_url=app_url
        ).migration_database


def test_a_wrong_migration_database_url_is_refused_when_the_settings_are_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://mediation_app@127.0.0.1:5432/mediation")
    monkeypatch.setenv("MIGRATION_DATABASE_URL", "postgres://mediation_owner@127.0.0.1:5432/elsewhere")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ValueError, match="MIGRATION_DATABASE_URL must name the same"):
        Settings.from_env()


def test_the_grants_give_the_app_role_no_way_to_change_the_audit_log():
    grants = db.app_role_grants("mediation_owner", 'odd"name')
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC, "odd""name"' in grants
    assert not any("TRUNCATE" in g and g.startswith("GRANT") for g in grants)
    assert any(g.startswith('ALTER DEFAULT PRIVILEGES FOR ROLE "mediation_owner"') for g in grants)


SQLITE_TAMPERING = {
    "delete everything": "DELETE FROM audit_event",
    "delete one": "DELETE FROM audit_event WHERE id = {id}",
    "update": "UPDATE audit_event SET summary = 'tampered' WHERE id = {id}",
    "insert or replace": "INSERT OR REPLACE INTO audit_event (id, at, actor_label, action, entity, entity_id,"
    " summary, client) VALUES ({id}, '2026-01-01 00:00:00', 'x', 'x', 'x', '', 'tampered', '')",
    "replace": "REPLACE INTO audit_event (id, at, actor_label, action, entity, entity_id, summary, client)"
    " VALUES ({id}, '2026-01-01 00:00:00', 'x', 'x', 'x', '', 'tampered', '')",
    "upsert": "INSERT INTO audit_event (id, at, actor_label, action, entity, entity_id, summary, client)"
    " VALUES ({id}, '2026-01-01 00:00:00', 'x', 'x', 'x', '', 'x', '')"
    " ON CONFLICT (id) DO UPDATE SET summary = 'tampered'",
}


class _RollBack(Exception):
    pass


@sqlite_only
@pytest.mark.parametrize("statement", SQLITE_TAMPERING.values(), ids=SQLITE_TAMPERING.keys())
async def test_sqlite_audit_rows_cannot_be_deleted_changed_or_replaced(app, statement):
    entry = await AuditEvent.select(AuditEvent.id, AuditEvent.summary).first()
    before = await AuditEvent.count()
    refusal: BaseException | None = None
    try:
        async with db.transaction():
            try:
                await AuditEvent.raw(statement.replace("{id}", str(int(entry["id"]))))
            except Exception as exc:  # noqa: BLE001 - sqlite3's own exception types
                refusal = exc
            raise _RollBack
    except _RollBack:
        pass
    assert refusal is not None and "append-only" in str(refusal), f"the database allowed: {statement}"
    assert await AuditEvent.count() == before
    after = await AuditEvent.select(AuditEvent.summary).where(AuditEvent.id == entry["id"]).first()
    assert after["summary"] == entry["summary"]


async def _main_migrate(env: dict[str, str]) -> tuple[int, str]:
    result = await anyio.run_process([sys.executable, "main.py", "migrate"], cwd=ROOT, env=env, check=False)
    return result.returncode, result.stderr.decode()


async def test_main_migrate_is_a_release_step_after_which_the_app_role_alone_can_start(app):
    code, err = await _main_migrate(dict(os.environ))
    assert code == 0, err
    assert "Database migrated." in err
    # The service itself may then run without the owner's password: nothing is pending, so nothing to create.
    alone = {k: v for k, v in os.environ.items() if k != "MIGRATION_DATABASE_URL"}
    code, err = await _main_migrate(alone)
    assert code == 0, err
