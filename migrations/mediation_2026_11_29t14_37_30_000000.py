"""Indexes for tribunal compliance lists (composite and partial, so raw DDL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:37:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "tribunal indexes"

INDEXES = [
    # "What you owe" lists and the compliance counts filter open duties by body, ordered by due date.
    "CREATE INDEX IF NOT EXISTS tribunal_obligation_owed ON tribunal_obligation (owed_by, status, due)",
    "CREATE INDEX IF NOT EXISTS tribunal_obligation_case ON tribunal_obligation (disagreement, status)",
    # One open duty per rule and body on a case: a second recording of the same order updates it.
    "CREATE UNIQUE INDEX IF NOT EXISTS tribunal_obligation_open_uniq "
    "ON tribunal_obligation (disagreement, rule, owed_by) WHERE status = 'open'",
    "CREATE UNIQUE INDEX IF NOT EXISTS appeal_matter_uniq ON appeal_matter (appeal, matter)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        for statement in INDEXES:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
