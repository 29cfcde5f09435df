"""Indexes for the staff work queue (issue 17 part 3): each organisation's queue, with each filter it
offers, is an index range scan in the order it shows (nearest deadline, then id: the keyset it pages
by), so the smallest LA's first page no longer walks the national `next_due_date` index.

- (organisation, next_due_date, id) for the LA, ICB and mediation service queues; a state filter has its
  own (organisation, state, next_due_date, id), which replaces migration 2026-11-29T14:10:00's
  (organisation, state, next_due_date) without the id; "unassigned" (assigned_to IS NULL) the LA's
  (local_authority, assigned_to, next_due_date, id); "my cases" and an officer's email
  (assigned_to, next_due_date, id), whatever the body.
- Name search is a substring match (a surname is the end of a child's name): on PostgreSQL trigram GIN
  indexes on lower(child_name) and lower(account.full_name) serve `lower(x) LIKE '%...%'` (pg_trgm ships
  with PostgreSQL and is a trusted extension since 13). SQLite has no trigram index: it filters the
  organisation's rows, which is its scale.
Raw DDL: composite and expression indexes (stack.md section 2.2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T15:49:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "work queue indexes per organisation, filter and keyset"

INDEXES = [
    # Superseded by the same columns with id last (the keyset), below; nothing else reads them.
    "DROP INDEX IF EXISTS disagreement_la_queue",
    "DROP INDEX IF EXISTS disagreement_icb_queue",
    "DROP INDEX IF EXISTS disagreement_service_queue",
    "CREATE INDEX IF NOT EXISTS disagreement_la_due_queue ON disagreement (local_authority, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_la_state_queue"
    " ON disagreement (local_authority, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_la_assignee_queue"
    " ON disagreement (local_authority, assigned_to, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_icb_due_queue ON disagreement (icb, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_icb_state_queue ON disagreement (icb, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_service_due_queue"
    " ON disagreement (mediation_service, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_service_state_queue"
    " ON disagreement (mediation_service, state, next_due_date, id)",
    "CREATE INDEX IF NOT EXISTS disagreement_assignee_queue ON disagreement (assigned_to, next_due_date, id)",
]
POSTGRES_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS disagreement_child_name_trgm"
    " ON disagreement USING gin (lower(child_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS account_full_name_trgm ON account USING gin (lower(full_name) gin_trgm_ops)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type == "postgres":
            for statement in POSTGRES_INDEXES:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
