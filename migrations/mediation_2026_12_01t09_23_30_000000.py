"""Lodging exactly once, and one running clock per rule and body (partial unique indexes, so raw DDL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T09:23:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "lodging and clock uniqueness"

INDEXES = [
    # A draft becomes at most one case, however many times "Send" is pressed, in however many processes.
    "CREATE UNIQUE INDEX IF NOT EXISTS disagreement_lodging_draft_uniq ON disagreement (lodging_draft) "
    "WHERE lodging_draft IS NOT NULL",
    # The same Idempotency-Key from the same account lodges one case.
    "CREATE UNIQUE INDEX IF NOT EXISTS disagreement_idempotency_uniq ON disagreement (created_by, "
    "idempotency_key) WHERE idempotency_key IS NOT NULL",
    # A rule runs at most once at a time for each body on a case: no duplicate clocks, by construction.
    "CREATE UNIQUE INDEX IF NOT EXISTS statutory_clock_running_uniq ON statutory_clock (disagreement, rule, "
    "actor) WHERE status = 'running'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        for statement in INDEXES:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
