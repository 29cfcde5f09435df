"""Constraints and indexes Piccolo cannot express portably, and the append-only audit log.

Raw DDL because Piccolo on SQLite cannot create composite constraints (stack.md section 2.2);
the same statements run on PostgreSQL, the reference engine.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes and append-only audit log"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS organisation_contact_purpose_uniq"
    " ON organisation_contact (organisation, purpose)",
    "CREATE UNIQUE INDEX IF NOT EXISTS la_icb_link_uniq ON la_icb_link (local_authority, icb)",
    # Queues filter by organisation and state and sort by the nearest due date.
    "CREATE INDEX IF NOT EXISTS disagreement_la_queue ON disagreement (local_authority, state, next_due_date)",
    "CREATE INDEX IF NOT EXISTS disagreement_icb_queue ON disagreement (icb, state, next_due_date)",
    "CREATE INDEX IF NOT EXISTS disagreement_service_queue"
    " ON disagreement (mediation_service, state, next_due_date)",
    "CREATE INDEX IF NOT EXISTS audit_event_case_timeline ON audit_event (disagreement_id, at)",
    "CREATE INDEX IF NOT EXISTS sign_in_attempt_recent ON sign_in_attempt (email, at)",
]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event"
    " BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        triggers = POSTGRES_TRIGGERS if engine.engine_type == "postgres" else SQLITE_TRIGGERS
        for statement in INDEXES + triggers:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
