"""Indexes for the clock sweeps, the outbox and the lodging drafts (composite, so raw DDL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:13:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "clock, outbox and draft indexes"

INDEXES = [
    # Reminder and breach sweeps scan running clocks by due date.
    "CREATE INDEX IF NOT EXISTS statutory_clock_running_due ON statutory_clock (status, due)",
    "CREATE INDEX IF NOT EXISTS statutory_clock_case ON statutory_clock (disagreement, status, due)",
    # The outbox worker takes pending messages whose time has come.
    "CREATE INDEX IF NOT EXISTS notification_due ON notification (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS lodging_draft_open ON lodging_draft (account, submitted, updated_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS disputed_matter_section_uniq ON disputed_matter (disagreement, section)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        for statement in INDEXES:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
