"""The audit page reads each filter from its (..., at, id) keyset index: the plain single-column indexes on
audit_event's `at`, `actor` and `action` are dropped. With them, PostgreSQL read every match and sorted it
for a page of 51 whenever its statistics underrated the match (events since the last ANALYZE): at
1,000,000 cases an actor's page read 73,641 events through audit_event_actor (35 ms), the views' page
38,363 through audit_event_action (58 ms), where audit_event_actor_keyset and audit_event_action_keyset
read 51 (0.12 and 0.29 ms). The keyset indexes serve everything the plain ones did (each leads with the
same column), the foreign key's checks on `actor` included; and every audited action, each staff view of a
case among them, writes three indexes fewer. (The same on `disagreement_id`: migration 2026-12-04T18:30.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey, Timestamptz, Varchar

ID = "2026-12-04T18:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_event: no single-column indexes beside the keyset ones"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)
    for column, kind in (("at", Timestamptz), ("actor", ForeignKey), ("action", Varchar)):
        manager.alter_column(
            table_class_name="AuditEvent",
            tablename="audit_event",
            column_name=column,
            db_column_name=column,
            params={"index": False},
            old_params={"index": True},
            column_class=kind,
            old_column_class=kind,
            schema=None,
        )
    return manager
