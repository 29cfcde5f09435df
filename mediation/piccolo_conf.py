"""Piccolo's engine, chosen by DATABASE_URL (SQLite by default, PostgreSQL for production)."""

from pathlib import Path

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from mediation.settings import DatabaseConfig, settings
from mediation.sqlite_pool import PooledSQLiteEngine


def engine_for(db: DatabaseConfig) -> PostgresEngine | SQLiteEngine:
    if db.engine == "postgres":
        return PostgresEngine(
            config={
                "host": db.host,
                "port": db.port,
                "user": db.user,
                "password": db.password,
                "database": db.database,
            }
        )
    Path(db.path).parent.mkdir(parents=True, exist_ok=True)
    return PooledSQLiteEngine(path=db.path, timeout=30)  # a connection per query was most of a query's cost


# What the app runs as. Migrations swap in the owner role's engine while they run (mediation/db.py).
DB: PostgresEngine | SQLiteEngine = engine_for(settings.database)

APP_REGISTRY = AppRegistry(apps=["mediation.piccolo_app"])
