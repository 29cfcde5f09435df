"""A poll invitee's reply code is unique, like an offer's (a NULL code, for invitees asked by email,
repeats freely). Raw DDL: a unique index on an added column (stack.md section 2.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T16:28:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique poll invitee reply codes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS poll_invitee_short_code ON poll_invitee (short_code)"
        )

    manager.add_raw(run)
    return manager
