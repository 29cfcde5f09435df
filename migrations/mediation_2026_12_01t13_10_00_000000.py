"""Notice fields: an LA's notices are built from plain-text fields around the fixed statutory text.

Older versions keep their free text in `body` (with `fields` null): shown in the history, never run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notice template fields"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)
    manager.add_column(
        table_class_name="NoticeTemplate",
        tablename="notice_template",
        column_name="fields",
        db_column_name="fields",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
