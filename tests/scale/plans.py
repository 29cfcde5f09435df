"""Reading PostgreSQL's plans in the plan tests (`tests/scale`, `tests/reminders/test_sweep_plan.py`), some
over rows written only for the test: the audit log is append-only, so they go in a transaction that is
rolled back once the plans are read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from piccolo.engine import engine_finder

from mediation import db

# A plan test's marks: PostgreSQL only, as SQLite's planner is not the one production runs.
POSTGRES_PLANS = [
    pytest.mark.anyio,
    pytest.mark.skipif(not db.is_postgres(), reason="query plans are PostgreSQL's; SQLite plans differ"),
]


class _RolledBack(Exception):
    pass


@asynccontextmanager
async def rolled_back() -> AsyncIterator[Any]:
    """The engine, inside a transaction that is rolled back at the end of the block."""
    engine = engine_finder()
    try:
        async with engine.transaction():
            yield engine
            raise _RolledBack
    except _RolledBack:
        pass


def root(found: Any) -> dict[str, Any]:
    """The top node of an EXPLAIN (FORMAT JSON), whether the driver decoded the JSON or not."""
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def plan_of(explained: list[dict[str, Any]]) -> dict[str, Any]:
    """The top node of an EXPLAIN (FORMAT JSON)'s rows."""
    return root(explained[0]["QUERY PLAN"])


def literals(values: Any) -> str:
    """A prepared statement's values as SQL literals for EXECUTE, which takes no bound parameters."""
    return ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += nodes(child)
    return found


def rows_read(plan: dict[str, Any], table: str) -> tuple[int, set[str | None]]:
    """The rows an EXPLAIN ANALYZE's scans of `table` read (kept or filtered out), and through which
    indexes (None: not through an index, or a bitmap's heap scan)."""
    scans = [n for n in nodes(plan) if n.get("Relation Name") == table]
    read = sum(n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0) for n in scans)
    return read, {n.get("Index Name") for n in scans}
