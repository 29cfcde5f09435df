"""The append-only audit and event log: every change and every staff view of a case."""

from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference

from mediation.db_typing import Table


class AuditEvent(Table):
    # `at`, `actor`, `action` and `disagreement_id` are each indexed with (at, id) after them (the keyset
    # indexes of migration 2026-12-01T17:00:01), never alone: with a plain index on one, PostgreSQL read
    # every match and sorted it whenever its statistics underrated the match (`audit/reading.py: page_query`).
    at = Timestamptz()
    # The account (`accounts/tables.py: Account`) by name: accounts sit above the log and write to it.
    actor: ForeignKey[Table] = ForeignKey(
        references=LazyTableReference("Account", module_path="mediation.accounts.tables"),
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
    )
    actor_label = Varchar(length=260, default="system")
    action = Varchar(length=60)
    entity = Varchar(length=60)
    entity_id = Varchar(length=64, default="")
    # Case events also feed the case timeline (audit_event_case_timeline_no_views: without the views);
    # null for reference-data changes.
    disagreement_id = Integer(null=True, default=None)
    summary = Varchar(length=500, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    client = Varchar(length=64, default="")
