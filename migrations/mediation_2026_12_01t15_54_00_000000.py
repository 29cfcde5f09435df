"""The print queue's index: an organisation's letters waiting to be posted (posted_on null) and those
posted, in order, as one index range scan. Raw DDL: a composite index (stack.md section 2.2), the same on
SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T15:54:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "print queue index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS notification_print_queue "
            "ON notification (organisation_id, posted_on, id)"
        )

    manager.add_raw(run)
    return manager
