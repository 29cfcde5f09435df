"""The append-only audit and event log: every change and every staff view of a case."""

from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference

from mediation.db_typing import Table


class AuditEvent(Table):
    at = Timestamptz(index=True)
    # The account (`accounts/tables.py: Account`) by name: accounts sit above the log and write to it.
    actor: ForeignKey[Table] = ForeignKey(
        references=LazyTableReference("Account", module_path="mediation.accounts.tables"),
        on_delete=OnDelete.restrict,
        null=True,
        default=None,
        index=True,
    )
    actor_label = Varchar(length=260, default="system")
    action = Varchar(length=60, index=True)
    entity = Varchar(length=60)
    entity_id = Varchar(length=64, default="")
    # Case events also feed the case timeline; null for reference-data changes. Indexed with `at` and `id`
    # (audit_event_case_keyset, and audit_event_case_timeline_no_views without the views): a plain index
    # on it let PostgreSQL read every view of a case for its timeline.
    disagreement_id = Integer(null=True, default=None)
    summary = Varchar(length=500, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    client = Varchar(length=64, default="")
