"""The migration log counts what had run and what is left, not every migration twice (issue 15, part 6)."""

from __future__ import annotations

import logging
import re

import pytest

from mediation import db
from mediation.settings import Settings

pytestmark = pytest.mark.anyio


def _counts(caplog) -> tuple[int, int]:
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "mediation.db")
    done = re.search(r"(\d+) migrations? already complete", text)
    pending = re.search(r"(\d+) migrations? not yet run", text)
    return (int(done[1]) if done else 0), (int(pending[1]) if pending else 0)


@pytest.fixture
async def fresh_sqlite(tmp_path, monkeypatch):
    """An empty SQLite database that Piccolo's tables (and their migration bookkeeping) point at."""
    from piccolo.apps.migrations.tables import Migration

    from mediation import piccolo_conf

    engine = piccolo_conf.engine_for(Settings(database_url=f"sqlite:///{tmp_path}/fresh.sqlite").database)
    monkeypatch.setattr(piccolo_conf, "DB", engine)
    monkeypatch.setattr(Migration._meta, "_db", engine)
    return engine


async def test_a_fresh_database_logs_none_complete_and_every_migration_to_run(fresh_sqlite, caplog):
    caplog.set_level(logging.INFO, logger="mediation.db")
    await db.migrate(Settings(database_url="sqlite:////unused.sqlite"))
    done, pending = _counts(caplog)
    assert done == 0 and pending > 0


async def test_a_migrated_database_logs_every_migration_complete_and_none_to_run(fresh_sqlite, caplog):
    caplog.set_level(logging.INFO, logger="mediation.db")
    config = Settings(database_url="sqlite:////unused.sqlite")
    await db.migrate(config)
    first = _counts(caplog)[1]
    caplog.clear()
    await db.migrate(config)
    assert _counts(caplog) == (first, 0)
