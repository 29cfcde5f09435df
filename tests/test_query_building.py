"""The queries whose SQL is partly built once (mediation/query_building.py) send exactly the SQL Piccolo
itself builds for them, on either database, for every shape the case pages use."""

from __future__ import annotations

import pytest

from mediation import query_building
from mediation.cases.work import add_note
from mediation.clocks.tables import StatutoryClock
from tests.conftest import client_as, sign_in
from tests.mediation.helpers import make_world

pytestmark = pytest.mark.anyio

SHAPES = {
    "case row",
    "case clocks",
    "case mediation record",
    "case meetings",
    "case appeal",
    "case timeline",
    "case matters",
    "case documents",
    "case notes",
    "officers of a body",
}


async def test_every_query_built_once_on_the_case_pages_is_piccolos_own_sql(app, monkeypatch):
    world = await make_world(sections=("B", "F"))
    await add_note(await world.case(), "A note", actor=world.la)
    seen: dict[str, list[bool]] = {}
    real = query_building.built_once

    def checking(shape, query):  # noqa: ANN001, ANN202 - the wrapped function's own signature
        built = real(shape, query)
        select = built.query if hasattr(built, "query") else built
        engine = select.table._meta.db.engine_type
        ours = select.querystrings[0].compile_string(engine_type=engine)
        own = query_building.piccolos_own(built).compile_string(engine_type=engine)
        seen.setdefault(shape, []).append(ours == own)
        return built

    monkeypatch.setattr(query_building, "built_once", checking)
    for person in (world.la, world.family):
        client = await client_as(app, "anonymous")
        try:
            await sign_in(client, person.email)
            assert (await client.get(f"/cases/{world.reference}")).status_code == 200
        finally:
            await client.aclose()
    assert set(seen) >= SHAPES, seen
    assert all(all(same) for same in seen.values()), seen


@pytest.mark.parametrize("first", [False, True])
async def test_a_query_built_once_gives_the_rows_piccolo_gives_json_loaded_included(app, first):
    world = await make_world(sections=("B",))

    def clocks():  # noqa: ANN202 - a Piccolo query
        query = (
            StatutoryClock.select()
            .where(StatutoryClock.disagreement == world.case_id)
            .order_by(StatutoryClock.id)
            .output(load_json=True)
        )
        return query.first() if first else query

    built = await query_building.built_once(f"test clocks {first}", clocks())
    again = await query_building.built_once(f"test clocks {first}", clocks())  # its SQL kept this time
    own = await clocks()
    assert built == again == own
    rows = [own] if first else own
    assert rows and all(isinstance(r["explanation"], list) and r["explanation"] for r in rows)
