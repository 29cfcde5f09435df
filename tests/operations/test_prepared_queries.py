"""A prepared query (mediation/prepared.py) is the Piccolo query it was written from: the same rows, the
same columns and values (dates, joined names, NULLs), for any number of ids, on both engines; and Piccolo
builds it once per engine, not on every call (building it is the cost it exists to save)."""

from __future__ import annotations

import pytest

from mediation import db
from mediation.accounts.tables import HttpSession
from mediation.cases import queue
from mediation.cases.tables import Disagreement
from mediation.prepared import Prepared
from mediation.web import sessions
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


def _by_id(rows):
    return sorted(rows, key=lambda r: r["id"])


@pytest.mark.parametrize("count", [0, 1, 3, 200])
async def test_a_page_of_case_summaries_is_what_piccolo_returns(app, count) -> None:
    ids = [r["id"] for r in await Disagreement.select(Disagreement.id).order_by(Disagreement.id).limit(count)]
    assert len(ids) == count or count == 200
    prepared = await queue._DETAILS.run(ids=ids)
    plain = await Disagreement.select(*queue._SUMMARY_COLUMNS).where(Disagreement.id.is_in(ids or [-1]))
    assert _by_id(prepared) == _by_id(plain)
    assert len(prepared) == len(ids)


async def test_the_session_read_is_what_piccolo_returns(app) -> None:
    await client_as(app, "la_coordinator")  # a signed-in session row
    row = await HttpSession.select(HttpSession.key).first()
    assert row is not None
    prepared = await sessions._SESSION.first(key=row["key"])
    plain = (
        await HttpSession.select(HttpSession.data, HttpSession.expires_at)
        .where(HttpSession.key == row["key"])
        .first()
    )
    assert prepared == plain
    assert await sessions._SESSION.first(key="no-such-session") is None
    # A value is sent as a value, never spliced into the SQL.
    assert await sessions._SESSION.first(key="x' OR '1'='1") is None


def test_values_go_in_as_markers_only() -> None:
    literal = Prepared(HttpSession, lambda e: HttpSession.select().where(HttpSession.key == "spliced"))
    with pytest.raises(ValueError, match="@markers only"):
        literal.sql(db.engine().engine_type)


async def test_piccolo_writes_the_sql_once_per_engine_not_once_per_call(app) -> None:
    built: list[str] = []

    def build(engine_type):
        built.append(engine_type)
        return queue._DETAILS._build(engine_type)

    counted = Prepared(Disagreement, build, lists=["ids"])
    ids = [r["id"] for r in await Disagreement.select(Disagreement.id).limit(5)]
    for _ in range(3):
        assert len(await counted.run(ids=ids)) == len(ids)
    assert built == [db.engine().engine_type]
