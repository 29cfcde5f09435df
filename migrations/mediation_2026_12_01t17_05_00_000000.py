"""The reminder sweep's index: running clocks by (due, id), partial on status = 'running', so a sweep
pages through the clocks due with keyset paging and never reads the met and cancelled clocks that pile
up beside them. Raw DDL: a partial composite index (stack.md section 2.2), the same on SQLite and
PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "running clocks by due date index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS statutory_clock_running_due "
            "ON statutory_clock (due, id) WHERE status = 'running'"
        )

    manager.add_raw(run)
    return manager
