"""A posted offer's short code is unique (a NULL code, on offers made before codes, repeats freely), and
the poll reminder sweep finds open polls by reply-by date with one index range. Raw DDL: a unique index
on an added column and a composite index (stack.md section 2.2), the same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T15:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique offer short codes and the open poll index"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS session_offer_short_code ON session_offer (short_code)",
    "CREATE INDEX IF NOT EXISTS meeting_poll_open_reply_by ON meeting_poll (status, reply_by)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
