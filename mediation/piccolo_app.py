"""The one Piccolo app: every capability's tables, migrated from the top-level migrations/ folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

TABLE_MODULES = [
    "mediation.organisations.tables",
    "mediation.accounts.tables",
    "mediation.audit.tables",
    "mediation.cases.tables",
    "mediation.clocks.tables",
    "mediation.notify.tables",
    "mediation.lodging.tables",
    "mediation.notices.tables",
    "mediation.services.tables",
    "mediation.advice.tables",
    "mediation.scheduling.tables",
    "mediation.offers.tables",
    "mediation.polls.tables",
    "mediation.certificates.tables",
    "mediation.outcomes.tables",
    "mediation.tribunal.tables",
]

APP_CONFIG = AppConfig(
    app_name="mediation",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
