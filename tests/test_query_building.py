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


def checking_built_once(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bool]]:
    """From now on, each shape given to `built_once` and, for each use, whether its SQL was Piccolo's own."""
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
    return seen


def counting_column_copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of each column object Piccolo copies (a column named through a foreign key)."""
    from piccolo.columns.base import Column

    copies: list[str] = []
    real_copy = Column.copy

    def counting_copy(self):  # noqa: ANN001, ANN202 - the wrapped method's own signature
        copies.append(self._meta.name)
        return real_copy(self)

    monkeypatch.setattr(Column, "copy", counting_copy)
    return copies


async def test_every_query_built_once_on_the_case_pages_is_piccolos_own_sql(app, monkeypatch):
    world = await make_world(sections=("B", "F"))
    await add_note(await world.case(), "A note", actor=world.la)
    seen = checking_built_once(monkeypatch)
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


async def test_a_bearer_queue_request_sends_piccolos_own_sql_and_names_no_column_afresh(
    app, client, monkeypatch
):
    """The API's queue, read with a token: its token, keyset and summary queries are built once, and a
    request after the first makes no column objects at all (naming `ApiToken.account.email` copied the
    columns along the foreign key on every request: more CPU than the query, issue 17)."""
    from mediation.accounts import api_tokens
    from tests.conftest import DEMO_EMAILS

    token = (await api_tokens.create_token(DEMO_EMAILS["la_coordinator"], name="built once")).token
    headers = {"Authorization": f"Bearer {token}"}
    seen = checking_built_once(monkeypatch)
    first = await client.get("/api/v1/cases", headers=headers)
    assert first.status_code == 200 and first.json()
    assert set(seen) >= {"api token and its account", "queue keyset", "queue summaries"}, seen
    assert all(all(same) for same in seen.values()), seen

    monkeypatch.undo()
    copies = counting_column_copies(monkeypatch)
    again = await client.get("/api/v1/cases", headers=headers)
    assert again.status_code == 200 and again.json() == first.json()
    assert copies == []


def _comparisons() -> list[tuple[str, object]]:
    """WHERE clauses of every kind the service writes: on a foreign key, null or not, in a list, a range,
    a LIKE, raw SQL, through a join, and combinations of them."""
    from piccolo.columns.combination import WhereRaw

    from mediation.cases.tables import Disagreement

    return [
        ("foreign key", StatutoryClock.disagreement == 7),
        ("is null", StatutoryClock.stopped_on.is_null()),
        ("not null", StatutoryClock.stopped_on.is_not_null()),
        ("not equal", StatutoryClock.status != "met"),
        ("in", StatutoryClock.rule.is_in(["appeal", "certificate"])),
        ("range", (StatutoryClock.id > 3) & (StatutoryClock.id <= 9)),
        ("like", StatutoryClock.rule.like("%appeal%")),
        ("raw", WhereRaw('"statutory_clock"."id" = {}', 4)),
        ("through a join", StatutoryClock.disagreement.local_authority == 2),
        (
            "combined",
            ((StatutoryClock.disagreement == 1) | StatutoryClock.stopped_on.is_null())
            & (StatutoryClock.disagreement._.state == "lodged"),
        ),
        ("on another table", (Disagreement.local_authority == 3) & (Disagreement.icb == 4)),
    ]


@pytest.mark.parametrize("name", [name for name, _ in _comparisons()])
async def test_each_where_clause_is_piccolos_own_sql_first_time_and_after(app, name):
    engine = StatutoryClock._meta.db.engine_type
    for _ in range(2):  # the second time from the templates kept the first
        where = dict(_comparisons())[name]
        assert query_building.where_sql(where).compile_string(engine) == where.querystring.compile_string(
            engine
        )


async def test_a_comparison_on_a_foreign_key_reads_no_attribute_of_it_the_second_time(app, monkeypatch):
    """Piccolo's foreign key calls dir() on itself for each attribute read, and the referenced table's
    columns hang on it: Where.querystring read two or three, a tenth of the case page's CPU (issue 17)."""
    from piccolo.columns import column_types

    calls = 0

    def counting_dir(*args):  # noqa: ANN002, ANN202 - the builtin's own signature
        nonlocal calls
        calls += 1
        return dir(*args)

    def clocks_of(case_id: int):  # noqa: ANN202 - a Piccolo query
        return StatutoryClock.select(StatutoryClock.id).where(StatutoryClock.disagreement == case_id)

    query_building.built_once("test clocks of a case", clocks_of(1))
    monkeypatch.setattr(column_types, "dir", counting_dir, raising=False)
    built = query_building.built_once("test clocks of a case", clocks_of(2))
    assert calls == 0
    assert built.querystrings[0].compile_string(StatutoryClock._meta.db.engine_type)[1] == [2]


@pytest.mark.parametrize("page", ["case", "/home"])
async def test_a_staff_page_after_the_first_makes_no_column_objects(app, monkeypatch, page):
    """Naming a column through a foreign key (`CaseNote.author.full_name`) inside a request copied
    column objects along the key on every view of the case page (issue 17): the columns are made once."""
    world = await make_world(sections=("B", "F"))
    await add_note(await world.case(), "A note", actor=world.la)
    client = await client_as(app, "anonymous")
    try:
        await sign_in(client, world.la.email)
        path, shows = (
            (f"/cases/{world.reference}", world.reference) if page == "case" else (page, "case queue")
        )
        first = await client.get(path)
        assert first.status_code == 200 and shows in first.text
        copies = counting_column_copies(monkeypatch)
        again = await client.get(path)
        assert again.status_code == 200 and shows in again.text
        assert copies == []
    finally:
        await client.aclose()


SLOT_FINDER_SHAPES = {
    "officers who may attend",
    "mediator of the service",
    "mediator's employer",
    "meeting room",
    "legal window",
    "mediator's hours",
    "mediator's leave from a day",
    "closure days",
    "busy sessions",
    "busy attendances",
    "service's mediators",
    "service's mediators' hours",
    "service's mediators' leave",
    "service's rooms",
}


async def test_the_slot_finders_queries_are_piccolos_own_sql_and_make_no_column_objects_after_the_first(
    app, monkeypatch
):
    """The slot finder's 14 reads are built once (their joins named through foreign keys copied columns
    and called dir() along them on every search, issue 17), each exactly the SQL Piccolo builds."""
    from urllib.parse import urlencode

    from tests.mediation.test_mediation_pages import requested_world, search_query, slot_keys

    w, la = await requested_world(app)
    path = f"/cases/{w.reference}/mediation/schedule?{urlencode(search_query(w))}"
    seen = checking_built_once(monkeypatch)
    first = await la.get(path)
    assert first.status_code == 200 and slot_keys(first.text)
    assert set(seen) >= SLOT_FINDER_SHAPES, set(seen)
    assert all(all(same) for same in seen.values()), seen

    monkeypatch.undo()
    copies = counting_column_copies(monkeypatch)
    again = await la.get(path)
    assert again.status_code == 200 and slot_keys(again.text) == slot_keys(first.text)
    assert copies == []
