"""Indexes for the audit log page: each filter (case, person, action) with the keyset (at, id) it pages
by, newest first, so a filtered page and a deep page are both an index range scan, never a sort of the
whole log. Raw DDL: composite indexes (stack.md section 2.2), the same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log filter and keyset indexes"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS audit_event_keyset ON audit_event (at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_case_keyset ON audit_event (disagreement_id, at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_actor_keyset ON audit_event (actor, at, id)",
    "CREATE INDEX IF NOT EXISTS audit_event_action_keyset ON audit_event (action, at, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
