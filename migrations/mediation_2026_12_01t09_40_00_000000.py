from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T09:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "certificates issued by an adviser outside the service"

COMMON = {
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)
    manager.add_column(
        table_class_name="MediationRecord",
        tablename="mediation_record",
        column_name="outside_certificate_on",
        db_column_name="outside_certificate_on",
        column_class_name="Date",
        column_class=Date,
        params={"default": None, "null": True, **COMMON},
        schema=None,
    )
    manager.add_column(
        table_class_name="MediationRecord",
        tablename="mediation_record",
        column_name="outside_certificate_number",
        db_column_name="outside_certificate_number",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 60, "default": "", "null": False, **COMMON},
        schema=None,
    )
    return manager
