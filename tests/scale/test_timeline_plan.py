"""A case's timeline costs what it shows, not how often the case was opened (issue 17). Every staff view of
a case is audited, and the timeline hides the views: it read each of them and threw it away, so the case
page of a case opened 11,700 times in the national benchmark read 11,700 rows for the six it showed, and
its PostgreSQL CPU a request rose from round to round. It now reads the partial index of a case's events
that are not views.

PostgreSQL only: SQLite's planner is not the one production runs. The views are inserted inside a
transaction that is rolled back (the audit log is append-only), so no other test sees them."""

from __future__ import annotations

from typing import Any

from piccolo.querystring import QueryString

from mediation.cases.service import timeline_query
from mediation.cases.tables import Disagreement
from tests.scale.plans import POSTGRES_PLANS, literals, plan_of, rolled_back, rows_read

pytestmark = POSTGRES_PLANS

VIEWS = 3_000
# Other cases' events, two each: at 1M cases PostgreSQL's statistics give a case about 19 events, so that a
# plain index on disagreement_id, filtering the views out, looked as cheap as the partial index.
OTHER_CASES = 10_000


# The case's views (disagreement_id given), or other cases' events, two each (None: ids from 1,000,000 up).
_EVENTS = (
    "INSERT INTO audit_event (at, actor_label, action, entity, entity_id, disagreement_id, summary, client) "
    "SELECT now() - g * interval '1 minute', 'Officer', {}, 'disagreement', {}, "
    "coalesce({}::integer, 1000000 + g / 2), 'x', '' FROM generate_series(1, {}) AS g"
)


async def _timeline_plans(case_id: int, reference: str) -> dict[bool, dict[str, Any]]:
    """The timeline's plan for internal and other readers, with VIEWS views of the case in the log among
    other cases' events: the generic plan of its prepared statement, as the pool's connections run it."""
    plans: dict[bool, dict[str, Any]] = {}
    async with rolled_back() as engine:
        await engine.run_querystring(QueryString(_EVENTS, "view", reference, case_id, VIEWS))
        await engine.run_querystring(QueryString(_EVENTS, "lodged", "SM-X", None, 2 * OTHER_CASES))
        await engine.run_ddl("ANALYZE audit_event")
        await engine.run_ddl("SET LOCAL plan_cache_mode = force_generic_plan")
        for internal in (True, False):
            query = timeline_query(case_id, internal=internal)
            sql, values = query.querystrings[0].compile_string(engine_type="postgres")
            name = f"timeline_{int(internal)}"
            await engine.run_ddl(f"PREPARE {name} AS {sql}")
            explained = await engine.run_ddl(
                f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({literals(values)})"
            )
            await engine.run_ddl(f"DEALLOCATE {name}")
            plans[internal] = plan_of(explained)
    return plans


async def test_the_timeline_reads_none_of_the_cases_views(app) -> None:  # noqa: ARG001 - starts the pool
    case = await Disagreement.select(Disagreement.id, Disagreement.reference).first()
    assert case is not None, "the demo data has cases"
    for internal, plan in (await _timeline_plans(case["id"], case["reference"])).items():
        read, indexes = rows_read(plan, "audit_event")
        assert read < VIEWS / 10, f"internal={internal}: {read} rows read for the timeline through {indexes}"
