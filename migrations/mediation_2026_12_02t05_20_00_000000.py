"""The reminder sweep's index of the clocks a body owes: running clocks by (due, id), partial on
status = 'running' AND actor <> 'family'. A sweep reads a body's clocks (overdue ones included) from it and
the family's own from a range starting today, so it no longer fetches and discards every family clock
that lapsed unanswered (at 1,000,000 cases, 17,307 of the 27,811 rows a sweep read).

It also stands in for what the 2026-12-01T17:05 migration meant to build: that one used `IF NOT EXISTS`
on the name an earlier migration had already given a plain (status, due) index, so it never ran.

Raw DDL: a partial composite index (stack.md section 2.2), the same on SQLite and PostgreSQL. The sweep's
query writes the two constants into its SQL (not bound), so PostgreSQL can match the predicate in a
generic plan too."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T05:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "running clocks a body owes, by due date"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS statutory_clock_body_due "
            "ON statutory_clock (due, id) WHERE status = 'running' AND actor <> 'family'"
        )

    manager.add_raw(run)
    return manager
