"""The sweep's page of due clocks at a realistic shape: 40,000 clocks stored, 1% of them running. The
page reads the partial index on running clocks' (due, id) and touches a few buffers, not the met clocks
(at 1M cases they made PostgreSQL estimate 181,815 rows where there were 2,000 and scan every case).

PostgreSQL only: SQLite's planner is not the one production runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from mediation.clocks.tables import StatutoryClock
from mediation.reminders.service import LOOKAHEAD, due_clocks_query
from tests.reminders.helpers import make_case
from tests.scale.plans import POSTGRES_PLANS, literals, nodes, plan_of, root
from tests.scale.seed import analyze

pytestmark = POSTGRES_PLANS

TODAY = dt.date(2027, 3, 24)
# Indexes that read running clocks only: with the owner's statistics (two-role run) PostgreSQL may also pick
# the plain status index for `status = 'running'`, which skips the met clocks just as well.
RUNNING_INDEXES = {
    "statutory_clock_running_due",
    "statutory_clock_case",
    "statutory_clock_running_uniq",
    "statutory_clock_status",
}


async def _plan(query: Any) -> dict[str, Any]:
    rows = await engine_finder().run_querystring(
        QueryString("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {}", query.querystrings[0])
    )
    return plan_of(rows)


async def _insert_clocks(
    cases: list[int], count: int, *, actor: str, started_on: str, due: str, status: str
) -> None:
    """`count` clocks of these cases, made in SQL; actor, dates and status are SQL expressions of `i`."""
    await engine_finder().run_querystring(
        QueryString(
            "INSERT INTO statutory_clock (disagreement, rule, actor, started_on, due, status, citation,"  # noqa: S608 - this file's own SQL expressions
            " rule_status, explanation, started_by, stop_reason, version, created_at, updated_at)"
            f" SELECT ({{}}::int[])[1 + i % {len(cases)}], 'test_rule_' || i, {actor}, {started_on}, {due},"
            f" {status}, 'SEND Regulations 2014 reg 37', 'S', '[]', 'test', '', 1, now(), now()"
            f" FROM generate_series(1, {count}) AS i",
            cases,
        )
    )


async def test_a_page_of_due_clocks_reads_the_running_index_and_not_the_met_clocks(place):
    cases = [(await make_case(place))[0] for _ in range(20)]
    await _insert_clocks(
        cases,
        40_000,
        actor="'local_authority'",
        started_on="DATE '2027-01-01'",
        due="DATE '2027-03-01' + (i % 60)",
        status="CASE WHEN i % 100 = 0 THEN 'running' WHEN i % 3 = 0 THEN 'cancelled' ELSE 'met' END",
    )
    await analyze("statutory_clock")  # as the owner: the two-role run's app role cannot ANALYZE
    try:
        for local_authorities in (None, [place.la]):
            plan = await _plan(
                due_clocks_query(due_until=TODAY + LOOKAHEAD, local_authorities=local_authorities, size=500)
            )
            found = nodes(plan)
            scans = [n["Relation Name"] for n in found if n["Node Type"] == "Seq Scan"]
            # (The test database's few thousand cases may be hashed whole; the 40,000 clocks never are.)
            assert "statutory_clock" not in scans, scans
            # Nationally an index of running clocks only: the partial (due, id) one, or (as PostgreSQL
            # sometimes picks once the statistics count 400 running of 40,000) the plain status index as a
            # bitmap; for one LA also its cases' running clocks by case ((disagreement, status, due)).
            intended = (
                RUNNING_INDEXES - {"statutory_clock_case"} if local_authorities is None else RUNNING_INDEXES
            )
            assert intended & {n.get("Index Name") for n in found}, found
            # 400 running clocks on a few dozen pages, their cases and families: not 40,000 clocks' pages.
            buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
            assert buffers < 2_000, buffers
    finally:
        await StatutoryClock.delete().where(StatutoryClock.disagreement.is_in(cases))


async def _prepared_plan(query: Any, mode: str) -> dict[str, Any]:
    """The plan of `query` run as the app runs it: a prepared statement with bound values (asyncpg), whose
    plan PostgreSQL may make generic (`force_generic_plan` makes it so at once)."""
    import asyncpg

    sql, args = query.querystrings[0].compile_string(engine_type="postgres")
    connection = await asyncpg.connect(**engine_finder().config)
    try:
        async with connection.transaction():
            await connection.execute(f"SET LOCAL plan_cache_mode = {mode}")
            # What is asked is whether the query CAN read the partial index (a generic plan cannot prove a
            # bound predicate), not whether a seq scan is cheaper for the test database's few thousand
            # clocks, which it can be once the rest of the suite has written its own.
            await connection.execute("SET LOCAL enable_seqscan = off")
            await connection.execute(f"PREPARE sweep_page AS {sql}")
            # EXECUTE takes no bound parameters of its own: the values as literals, still the prepared
            # statement's parameters.
            plan = await connection.fetchval(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE sweep_page({literals(args)})"
            )
    finally:
        await connection.close()
    return root(plan)


async def test_a_bodys_page_never_fetches_the_familys_lapsed_clocks_even_in_a_generic_plan(place):
    """At 1M cases 17,307 family clocks had lapsed unanswered (still running: the family may yet act) and
    every sweep fetched each from the heap to throw it away. A body's page reads the partial index that
    leaves them out; the family's page starts today. Generic plans too: asyncpg prepares statements and
    PostgreSQL switches to a generic plan after five runs, where a bound 'family' could not match the
    index's predicate (the query writes its constants into the SQL)."""
    cases = [(await make_case(place))[0] for _ in range(20)]
    await _insert_clocks(
        cases,
        10_000,
        actor="CASE WHEN i % 100 = 0 THEN 'local_authority' ELSE 'family' END",
        started_on="DATE '2026-01-01'",
        due="DATE '2027-03-24' - (i % 200)",
        status="'running'",
    )
    await analyze("statutory_clock")
    in_range = await StatutoryClock.count().where(
        (StatutoryClock.status == "running")
        & (StatutoryClock.due >= TODAY)
        & (StatutoryClock.due <= TODAY + LOOKAHEAD)
    )
    try:
        for mode in ("auto", "force_generic_plan"):
            body = nodes(
                await _prepared_plan(
                    due_clocks_query(due_until=TODAY + LOOKAHEAD, size=500, owed_by="body"), mode
                )
            )
            family = nodes(
                await _prepared_plan(
                    due_clocks_query(
                        due_until=TODAY + LOOKAHEAD, size=500, owed_by="family", family_from=TODAY
                    ),
                    mode,
                )
            )
            clock_nodes = [n for n in body if n.get("Relation Name") == "statutory_clock"]
            indexes = {n["Index Name"] for n in body if n.get("Index Name", "").startswith("statutory_clock")}
            # As an index scan or (small tables) a bitmap; the other scans of running clocks would fetch the
            # family's too.
            assert indexes == {"statutory_clock_body_due"}, (mode, body)
            assert all(n.get("Rows Removed by Filter", 0) == 0 for n in clock_nodes), (mode, clock_nodes)
            fetched = sum(
                n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)
                for n in family
                if n.get("Relation Name") == "statutory_clock"
            )
            # The 9,900 family clocks made here all lapsed before today: the page reads only clocks due
            # from today (other tests' among them), never those.
            assert fetched <= in_range, (mode, fetched, in_range, family)
    finally:
        await StatutoryClock.delete().where(StatutoryClock.disagreement.is_in(cases))
