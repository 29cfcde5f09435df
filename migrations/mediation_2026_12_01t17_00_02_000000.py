"""The audit log is append-only, against the app itself.

SQLite: triggers refuse UPDATE and DELETE (with or without WHERE), and an INSERT that reuses an id (INSERT OR
REPLACE deletes the old row silently: delete triggers do not fire for REPLACE).
PostgreSQL: a row trigger refuses UPDATE and DELETE, a statement trigger TRUNCATE (row triggers never see
it), even for a role that holds the privilege; nobody but the owner keeps UPDATE, DELETE or TRUNCATE on
audit_event (the app role's grants are set after every migration: mediation/db.py `app_role_grants`).
Squashed from the migrations before issue 16 (2026-11-29T14:10:00 and 2026-12-01T12:55:00).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from mediation.settings import settings

ID = "2026-12-01T17:00:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only audit log"

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_replace BEFORE INSERT ON audit_event"
    " WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC",
]

# The app role (DATABASE_URL's user), when it exists and is not the role migrating; %I quotes its name.
REVOKE_FROM_APP = QueryString(
    "SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM %I', rolname) AS statement"
    " FROM pg_roles WHERE rolname = {} AND rolname <> current_user",
    settings.database.user,
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if engine.engine_type != "postgres":
            for statement in SQLITE:
                await engine.run_ddl(statement)
            return
        for statement in POSTGRES:
            await engine.run_ddl(statement)
        for row in await engine.run_querystring(REVOKE_FROM_APP):
            await engine.run_ddl(row["statement"])

    manager.add_raw(run)
    return manager
