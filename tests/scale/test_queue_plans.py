"""The queue's query plans at a realistic shape (issue 17 part 4): with 20,000 cases over 150 LAs seeded by
SQL and ANALYZEd, every queue query (each filter, search, the next page, my cases, unassigned, the ICB's
queue) reads an index meant for it, and none scans `disagreement` or `statutory_clock` sequentially. A
change that loses an index, or writes a query no index serves, fails here rather than at a million cases.

PostgreSQL only: SQLite's planner is not the one production runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from mediation.cases.queue import QueueFilters, queue_page, queue_queries, read_cursor
from mediation.cases.tables import Disagreement
from mediation.identity import CurrentUser
from tests.scale.plans import POSTGRES_PLANS, nodes, plan_of
from tests.scale.seed import Seeded, remove_seeded, seed_cases

pytestmark = POSTGRES_PLANS

NEVER_SCANNED = {"disagreement", "statutory_clock"}
# A page's rows are joined to their family and officer by primary key. Only a name search reads account
# by name, through its trigram index or, on a table as small as this one, in full.
JOINED_BY_KEY = {"account"}
LA_QUEUE = {"disagreement_la_due_queue"}
# (name, filters, the indexes on disagreement any one of which serves it)
QUERIES: list[tuple[str, QueueFilters, set[str]]] = [
    ("unfiltered", QueueFilters(), LA_QUEUE),
    ("state", QueueFilters(state="lodged"), {"disagreement_la_state_queue"}),
    # No index serves LIKE on the comma-separated scope: any index bounding the read to the LA will do.
    ("scope", QueueFilters(scope="health"), {*LA_QUEUE, "disagreement_local_authority"}),
    ("overdue", QueueFilters(risk="overdue"), LA_QUEUE),
    ("at risk", QueueFilters(risk="at_risk"), LA_QUEUE),
    ("on track", QueueFilters(risk="on_track"), LA_QUEUE),
    ("name search", QueueFilters(q="smith 12"), LA_QUEUE),
    ("reference search", QueueFilters(q="SM-00000001"), {"disagreement_reference_key"}),
    (
        "my cases",
        QueueFilters(assigned_to="me"),
        {"disagreement_la_assignee_queue", "disagreement_assignee_queue"},
    ),
    ("unassigned", QueueFilters(assigned_to="none"), {"disagreement_la_assignee_queue", *LA_QUEUE}),
]


@pytest.fixture(scope="module")
async def seeded(app) -> AsyncIterator[Seeded]:  # noqa: ARG001 - the app's lifespan starts the pool
    found = await seed_cases(20_000, 150)
    yield found
    await remove_seeded(found)


async def _user(la_id: int, role: str = "la_coordinator") -> CurrentUser:
    rows = await Disagreement.raw(
        "SELECT id, email FROM account WHERE organisation = {} ORDER BY id LIMIT 1", la_id
    )
    officer = rows[0] if rows else {"id": -1, "email": "nobody@example.com"}
    return CurrentUser(officer["id"], officer["email"], "Officer", role, la_id, "Scale body")


async def plan_problems(
    user: CurrentUser, filters: QueueFilters, intended: set[str], *, after: str | None = None
) -> list[str]:
    """What is wrong with the plans of the queries a page may run: a sequential scan of a big table, or
    disagreement read through none of the intended indexes."""
    problems = []
    start = read_cursor(after, field="after")
    for query in await queue_queries(user, filters, after=start):
        rows = await engine_finder().run_querystring(
            QueryString("EXPLAIN (FORMAT JSON) {}", query.querystrings[0])
        )
        found = nodes(plan_of(rows))
        never = NEVER_SCANNED if filters.q else NEVER_SCANNED | JOINED_BY_KEY
        scans = [n for n in found if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in never]
        problems += [f"sequential scan on {n['Relation Name']}" for n in scans]
        used = {n["Index Name"] for n in found if "Index Name" in n}
        if not used & intended:
            problems.append(f"none of {sorted(intended)} used (used {sorted(used)})")
    return problems


@pytest.mark.parametrize(("name", "filters", "intended"), QUERIES, ids=[q[0] for q in QUERIES])
@pytest.mark.parametrize("size", ["busiest", "smallest"])
async def test_each_queue_query_reads_its_index(seeded, name, filters, intended, size):
    user = await _user(seeded.busiest_la if size == "busiest" else seeded.smallest_la)
    assert await plan_problems(user, filters, intended) == []


async def test_the_next_page_reads_on_from_the_cursor_through_the_index(seeded):
    user = await _user(seeded.busiest_la)
    first = await queue_page(user, QueueFilters())
    assert first.next is not None
    assert await plan_problems(user, QueueFilters(), LA_QUEUE, after=first.next) == []
    on_track = await queue_page(user, QueueFilters(risk="on_track"))
    assert await plan_problems(user, QueueFilters(risk="on_track"), LA_QUEUE, after=on_track.next) == []


async def test_the_icb_queue_reads_its_own_indexes(seeded):
    user = await _user(seeded.icb, "health_commissioner")
    assert await plan_problems(user, QueueFilters(), {"disagreement_icb_due_queue"}) == []
    assert await plan_problems(user, QueueFilters(state="lodged"), {"disagreement_icb_state_queue"}) == []


async def test_the_check_fails_when_an_index_is_lost(seeded):
    """The check itself can fail: without the LA's queue index the busiest LA's queue is read another way."""
    user = await _user(seeded.busiest_la)

    class Undo(Exception):
        pass

    problems: list[str] = []
    try:
        async with Disagreement._meta.db.transaction():
            try:
                await Disagreement.raw("DROP INDEX disagreement_la_due_queue")
            except Exception as exc:  # the app role of the two-role CI run may not drop what it does not own
                if "must be owner" in str(exc):
                    pytest.skip("the test's database role does not own the index")
                raise
            problems = await plan_problems(user, QueueFilters(), LA_QUEUE)
            raise Undo
    except Undo:
        pass
    assert problems, "dropping the queue index went unnoticed"
    assert await plan_problems(user, QueueFilters(), LA_QUEUE) == []  # and it is back
