"""Piccolo's engine, chosen by DATABASE_URL (SQLite by default, PostgreSQL for production)."""

from pathlib import Path

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from mediation.settings import settings

_db = settings.database
if _db.engine == "postgres":
    DB: PostgresEngine | SQLiteEngine = PostgresEngine(
        config={
            "host": _db.host,
            "port": _db.port,
            "user": _db.user,
            "password": _db.password,
            "database": _db.database,
        }
    )
else:
    Path(_db.path).parent.mkdir(parents=True, exist_ok=True)
    DB = SQLiteEngine(path=_db.path, timeout=30)

APP_REGISTRY = AppRegistry(apps=["mediation.piccolo_app"])
