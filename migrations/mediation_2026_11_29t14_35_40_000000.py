"""Mediation scheduling: no double booking, enforced by the database; composite indexes for the look-ups.

A separate migration because Piccolo runs raw steps before table creation within one migration.
On PostgreSQL, exclusion constraints refuse a second live session for the same mediator, room or person
at an overlapping time, whatever the application does (two coordinators booking at the same moment).
SQLite has no exclusion constraints: there the booking runs in an immediate (write-locked) transaction
that checks for overlaps before it inserts (mediation/mediation/booking.py).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-29T14:35:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "mediation no-overlap constraints and indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS mediation_certificate_number_uniq "
    "ON mediation_certificate (service, year, sequence)",
    "CREATE INDEX IF NOT EXISTS mediation_session_mediator_time ON mediation_session (mediator, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediation_session_venue_time ON mediation_session (venue, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediation_session_case_time ON mediation_session (disagreement, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS session_attendee_account_time ON session_attendee (account, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS mediator_leave_days ON mediator_leave (mediator, first_day, last_day)",
    "CREATE INDEX IF NOT EXISTS working_hours_day ON working_hours (mediator, weekday)",
]

# (constraint name, table, the column that must not overlap in time, extra condition)
EXCLUSIONS = [
    ("mediation_session_mediator_no_overlap", "mediation_session", "mediator", ""),
    ("mediation_session_venue_no_overlap", "mediation_session", "venue", " AND venue IS NOT NULL"),
    ("session_attendee_person_no_overlap", "session_attendee", "account", " AND account IS NOT NULL"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, table, column, extra in EXCLUSIONS:
            await engine.run_ddl(
                # Only the constant names above are interpolated.
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{name}') THEN "  # noqa: S608
                f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(starts_at, ends_at) WITH &&) "
                f"WHERE (status <> 'cancelled'{extra}); END IF; END $$"
            )

    manager.add_raw(run)
    return manager
