"""The audit page's filters read a page, not every match (issue 17). With plain single-column indexes on
audit_event's actor and action beside their (..., at, id) keyset twins, PostgreSQL read every match through
the plain one and sorted it for a page of 51 whenever its statistics underrated the match: at 1,000,000
cases an actor's page read 73,641 events (35 ms; 0.12 ms through the keyset index), the views' page 38,363
(58 ms; 0.29 ms). Here the statistics are taken before an idle account's burst of events, as autovacuum
leaves them until a tenth of the table has changed; the actor's page fails with the plain index back. The
action's page is checked too, though on a table this small PostgreSQL read it through the keyset index even
with the plain one there.

PostgreSQL only: SQLite's planner is not the one production runs. The events are inserted inside a
transaction that is rolled back (the audit log is append-only), so no other test sees them."""

from __future__ import annotations

from typing import Any

from piccolo.querystring import QueryString

from mediation.accounts.tables import Account
from mediation.audit.reading import Filters, page_query
from tests.scale.plans import POSTGRES_PLANS, plan_of, rolled_back, rows_read

pytestmark = POSTGRES_PLANS

BURST = 3_000
BACKGROUND = 60_000


async def _plans(actor: int, pages: dict[str, Filters]) -> dict[str, dict[str, Any]]:
    plans: dict[str, dict[str, Any]] = {}
    async with rolled_back() as engine:
        # A log of some size first, so that reading a page through an index beats reading it all.
        await engine.run_querystring(
            QueryString(
                "INSERT INTO audit_event (at, actor_label, action, entity, entity_id, summary, client) "
                "SELECT now() - g * interval '1 minute', 'system', 'filler_' || (g % 40), "
                "'disagreement', 'SM-Y', 'x', '' FROM generate_series(1, {}) AS g",
                BACKGROUND,
            )
        )
        await engine.run_ddl("ANALYZE audit_event")
        await engine.run_querystring(
            QueryString(
                "INSERT INTO audit_event (at, actor, actor_label, action, entity, entity_id, summary, "
                "client) SELECT now() - g * interval '1 second', {}, 'Officer', 'burst_action', "
                "'disagreement', 'SM-X', 'x', '' FROM generate_series(1, {}) AS g",
                actor,
                BURST,
            )
        )
        # On a table this small, with the burst not yet all-visible, a bitmap scan and a sort is about as
        # cheap as reading the keyset index backwards, and PostgreSQL picks either from run to run; at 1M
        # (all-visible) it reads the index backwards. Off, so the plan shows the choice this test is about:
        # a plain index and a sort of every match, or the keyset index read a page's worth.
        await engine.run_ddl("SET LOCAL enable_bitmapscan = off")
        for name, filters in pages.items():
            query = page_query(filters, older=None, newer=None)
            explained = await engine.run_querystring(
                QueryString("EXPLAIN (ANALYZE, FORMAT JSON) {}", query.querystrings[0])
            )
            plans[name] = plan_of(explained)
    return plans


async def test_each_filter_reads_a_page_of_events_not_every_match(app) -> None:  # noqa: ARG001 - the pool
    # An account with no events yet, as the benchmark's coordinator had none when the statistics were taken.
    idle = await Account.raw(
        "SELECT id FROM account WHERE NOT EXISTS (SELECT 1 FROM audit_event WHERE actor = account.id) "
        "ORDER BY id LIMIT 1"
    )
    assert idle, "the demo data has an account that has done nothing"
    pages = {
        "actor": Filters(values={}, actor_id=idle[0]["id"]),
        "action": Filters(values={}, actions=["burst_action"]),
    }
    for name, plan in (await _plans(idle[0]["id"], pages)).items():
        read, indexes = rows_read(plan, "audit_event")
        assert read < BURST / 10, f"{name}: {read} events read for a page, through {indexes}"
