"""One closure entry per organisation and day.

A separate migration because Piccolo runs raw steps before table creation within one migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:11:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique closure day per organisation"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        # Raw index: SQLite cannot add composite constraints (stack.md section 2.2).
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS organisation_closure_day_uniq ON organisation_closure (organisation, day)"
        )

    manager.add_raw(run)
    return manager
