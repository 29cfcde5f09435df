"""Meant to build the reminder sweep's index: running clocks by (due, id), partial on status = 'running'.
It never did: `IF NOT EXISTS` meets the name `statutory_clock_running_due`, which the 2026-12-01T17:00:01
migration had already given a plain (status, due) index, so on every database that name is still the
plain index. The 2026-12-02T05:20 migration's `statutory_clock_body_due` stands in for what this one meant.
Left as it is: a migration that has run is history; changing what it does would build a different index
on new databases than on those already migrated."""

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
