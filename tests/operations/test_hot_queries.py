"""The two queries on every signed-in request's path besides the page's own: the session read and the
queue's page of case summaries. Both are built once (mediation/query_building.py); the summaries name
their ids as one value (`one_of`), so the SQL is the same whatever the page size. Each gives the rows its
plain Piccolo form gives, on both engines, and a value is always bound, never spliced into the SQL."""

from __future__ import annotations

import pytest

from mediation import query_building
from mediation.accounts.tables import HttpSession
from mediation.cases import queue
from mediation.cases.tables import Disagreement
from mediation.query_building import one_of
from mediation.web.sessions import DatabaseSessionStore
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


def _by_id(rows):
    return sorted(rows, key=lambda r: r["id"])


@pytest.mark.parametrize("count", [0, 1, 3, 200])
async def test_a_page_of_case_summaries_is_what_piccolo_returns(app, count) -> None:
    ids = [r["id"] for r in await Disagreement.select(Disagreement.id).order_by(Disagreement.id).limit(count)]
    ours = await queue._details(ids)
    plain = await Disagreement.select(*queue._SUMMARY_COLUMNS).where(Disagreement.id.is_in(ids or [-1]))
    assert _by_id(ours.values()) == _by_id(plain)
    assert sorted(ours) == sorted(ids)


async def test_the_ids_are_one_bound_value_whatever_their_number(app) -> None:
    engine = Disagreement._meta.db.engine_type
    sql = {
        n: Disagreement.select(Disagreement.id)
        .where(one_of('"disagreement"."id"', list(range(1, n + 1)), engine))
        .querystrings[0]
        .compile_string(engine_type=engine)
        for n in (1, 50)
    }
    assert sql[1][0] == sql[50][0]
    assert len(sql[1][1]) == len(sql[50][1]) == 1


async def test_the_session_read_is_what_piccolo_returns(app) -> None:
    await client_as(app, "la_coordinator")  # a signed-in session row
    row = await HttpSession.select(HttpSession.key, HttpSession.data).first()
    assert row is not None
    store = DatabaseSessionStore()
    assert await store.get(row["key"]) == bytes(row["data"])
    assert await store.get("no-such-session") is None
    assert await store.get("x' OR '1'='1") is None  # bound, not spliced


async def test_both_keep_the_sql_before_their_where_once(app) -> None:
    await client_as(app, "la_coordinator")
    engine = Disagreement._meta.db.engine_type
    await queue._details([1])
    kept = dict(query_building._BEFORE_WHERE)
    assert ("queue summaries", engine) in kept and ("session", engine) in kept
    await queue._details([1, 2])
    assert query_building._BEFORE_WHERE[("queue summaries", engine)] is kept[("queue summaries", engine)]
