"""Indexes for decision notices and bulk-issue rows (composite, so raw DDL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:35:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice template, notice and batch row indexes"

INDEXES = [
    # One version number per LA: two editors saving at once cannot both create version N.
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_template_version_uniq "
    "ON notice_template (local_authority, version)",
    # The LA's notice list, newest first.
    "CREATE INDEX IF NOT EXISTS decision_notice_la_created ON decision_notice (local_authority, created_at)",
    # The bulk-issue sweep claims queued rows, or issuing rows whose lease ran out.
    "CREATE INDEX IF NOT EXISTS notice_batch_row_due ON notice_batch_row (status, lease_until)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_batch_row_line_uniq ON notice_batch_row (batch, row_number)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        for statement in INDEXES:
            await engine_finder().run_ddl(statement)

    manager.add_raw(run)
    return manager
