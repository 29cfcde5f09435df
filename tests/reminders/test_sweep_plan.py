"""The sweep's page of due clocks at a realistic shape: 40,000 clocks stored, 1% of them running. The
page reads the partial index on running clocks' (due, id) and touches a few buffers, not the met clocks
(at 1M cases they made PostgreSQL estimate 181,815 rows where there were 2,000 and scan every case).

PostgreSQL only: SQLite's planner is not the one production runs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from mediation import db
from mediation.clocks.tables import StatutoryClock
from mediation.reminders.service import LOOKAHEAD, due_clocks_query
from tests.reminders.helpers import make_case
from tests.scale.seed import analyze

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not db.is_postgres(), reason="query plans are PostgreSQL's; SQLite plans differ"),
]

TODAY = dt.date(2027, 3, 24)
# Indexes that read running clocks only: with the owner's statistics (two-role run) PostgreSQL may also pick
# the plain status index for `status = 'running'`, which skips the met clocks just as well.
RUNNING_INDEXES = {
    "statutory_clock_running_due",
    "statutory_clock_case",
    "statutory_clock_running_uniq",
    "statutory_clock_status",
}


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


async def _plan(query: Any) -> dict[str, Any]:
    rows = await engine_finder().run_querystring(
        QueryString("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {}", query.querystrings[0])
    )
    plan = rows[0]["QUERY PLAN"]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


async def test_a_page_of_due_clocks_reads_the_running_index_and_not_the_met_clocks(place):
    cases = [(await make_case(place))[0] for _ in range(20)]
    await engine_finder().run_querystring(
        QueryString(
            "INSERT INTO statutory_clock (disagreement, rule, actor, started_on, due, status, citation,"
            " rule_status, explanation, started_by, stop_reason, version, created_at, updated_at)"
            " SELECT ({}::int[])[1 + i % 20], 'test_rule_' || i, 'local_authority',"
            " DATE '2027-01-01', DATE '2027-03-01' + (i % 60),"
            " CASE WHEN i % 100 = 0 THEN 'running' WHEN i % 3 = 0 THEN 'cancelled' ELSE 'met' END,"
            " 'SEND Regulations 2014 reg 37', 'S', '[]', 'test', '', 1, now(), now()"
            " FROM generate_series(1, 40000) AS i",
            cases,
        )
    )
    await analyze("statutory_clock")  # as the owner: the two-role run's app role cannot ANALYZE
    try:
        for local_authorities in (None, [place.la]):
            plan = await _plan(
                due_clocks_query(due_until=TODAY + LOOKAHEAD, local_authorities=local_authorities, size=500)
            )
            nodes = _nodes(plan)
            scans = [n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"]
            # (The test database's few thousand cases may be hashed whole; the 40,000 clocks never are.)
            assert "statutory_clock" not in scans, scans
            # Nationally an index of running clocks only: the partial (due, id) one, or (as PostgreSQL
            # sometimes picks once the statistics count 400 running of 40,000) the plain status index as a
            # bitmap; for one LA also its cases' running clocks by case ((disagreement, status, due)).
            intended = (
                RUNNING_INDEXES - {"statutory_clock_case"} if local_authorities is None else RUNNING_INDEXES
            )
            assert intended & {n.get("Index Name") for n in nodes}, nodes
            # 400 running clocks on a few dozen pages, their cases and families: not 40,000 clocks' pages.
            buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
            assert buffers < 2_000, buffers
    finally:
        await StatutoryClock.delete().where(StatutoryClock.disagreement.is_in(cases))
