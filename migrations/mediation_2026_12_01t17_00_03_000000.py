"""PostgreSQL only: no double booking, enforced by the database, and indexed name search.

- Exclusion constraints refuse a second live session for the same mediator, room or person at an
  overlapping time, whatever the application does (two coordinators booking at the same moment). SQLite has
  none: there the booking runs in an immediate (write-locked) transaction that checks for overlaps first.
- Name search is a substring match (a surname is the end of a child's name): trigram GIN indexes on
  lower(child_name) and lower(account.full_name) serve `lower(x) LIKE '%...%'` (pg_trgm ships with
  PostgreSQL and is a trusted extension since 13). SQLite filters the organisation's rows, which is its scale.
Squashed from the migrations before issue 16 (2026-11-29T14:35:40 and 2026-12-01T15:49:00).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T17:00:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL: no overlapping sessions, trigram name search"

# (constraint name, table, the column that must not overlap in time, extra condition)
EXCLUSIONS = [
    ("mediation_session_mediator_no_overlap", "mediation_session", "mediator", ""),
    ("mediation_session_venue_no_overlap", "mediation_session", "venue", " AND venue IS NOT NULL"),
    ("session_attendee_person_no_overlap", "session_attendee", "account", " AND account IS NOT NULL"),
]

TRIGRAM_INDEXES = [
    "CREATE INDEX IF NOT EXISTS disagreement_child_name_trgm ON disagreement USING gin (lower(child_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS account_full_name_trgm ON account USING gin (lower(full_name) gin_trgm_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
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
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for statement in TRIGRAM_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
