"""The staff case page reads everything it shows in a fixed number of queries (issue 17): a case with many
clocks, events, notes, matters, documents and meetings costs the same as a fresh one, so no section can
quietly read its rows one at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation import access, db, timekeeping
from mediation.cases import repository
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.cases.work import add_note
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.scheduling.tables import MediationSession, SessionStatus
from tests.conftest import client_as, sign_in
from tests.mediation.helpers import World, make_world
from tests.query_count import counted_queries

pytestmark = pytest.mark.anyio

# The session read, the case row (with its bodies' names and whether they ended), its clocks, the adviser's
# record, its meetings, its appeal, the timeline, the disputed matters, the documents, the internal notes,
# the officers it can be assigned to, and the audit of the view written after the response. On PostgreSQL
# the clocks, record, meetings and appeal are one statement, and the timeline, matters, documents, notes
# and officers another (mediation/batched_reads.py).
CASE_PAGE_QUERIES = 5 if db.is_postgres() else 12


async def _queries_for_page(app: object, world: World) -> tuple[int, str]:
    client = await client_as(app, "anonymous")
    try:
        await sign_in(client, world.la.email)
        path = f"/cases/{world.reference}"
        assert (await client.get(path)).status_code == 200
        with counted_queries() as queries:
            response = await client.get(path)
        assert response.status_code == 200
    finally:
        await client.aclose()
    return len(queries), response.text


async def _grow(world: World, n: int) -> None:
    """n more of every kind of row the page lists, the way each gets there or as the table holds it."""
    case = await world.case()
    for i in range(n):
        case = await add_note(case, f"Note {i}", actor=world.la)
    now = timekeeping.now()
    clock = await StatutoryClock.select().where(StatutoryClock.disagreement == world.case_id).first()
    assert clock is not None
    stopped = {k: v for k, v in clock.items() if k != "id"}
    stopped.update(status=ClockStatus.cancelled.value, stopped_on=timekeeping.today(), stop_reason="test")
    await StatutoryClock.insert(*[StatutoryClock(**stopped) for _ in range(n)])
    await CaseDocument.insert(
        *[
            CaseDocument(
                disagreement=world.case_id,
                kind="decision_letter",
                filename=f"letter-{i}.pdf",
                size=2048,
                sha256="0" * 64,
                content=b"%PDF-1.4",
                uploaded_at=now,
            )
            for i in range(n)
        ]
    )
    start = now - dt.timedelta(days=60)
    await MediationSession.insert(
        *[
            MediationSession(
                disagreement=world.case_id,
                mediator=world.profile_id,
                starts_at=start + dt.timedelta(days=i),
                ends_at=start + dt.timedelta(days=i, hours=2),
                status=SessionStatus.held.value,
                uid=f"held-{world.case_id}-{i}@test",
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        ]
    )


async def test_the_case_page_makes_the_same_few_queries_however_much_the_case_holds(app):
    small = await make_world(sections=("B",))
    large = await make_world(sections=("B", "C", "F", "G", "I"))
    await _grow(large, 10)

    fresh, _ = await _queries_for_page(app, small)
    busy, html = await _queries_for_page(app, large)

    assert html.count("letter-") == 10 and html.count("Note ") >= 10  # the rows are all on the page
    assert busy == fresh == CASE_PAGE_QUERIES


@pytest.mark.parametrize("role", [access.FAMILY, access.LA, access.ICB, access.MEDIATOR, access.ADMIN, None])
def test_the_case_rows_query_is_the_sql_piccolo_builds_for_it(role):
    user = None if role is None else CurrentUser(7, "a@example.com", "A", role, 3, "Org")
    where = (Disagreement.reference == "SM-1") & access.visible_cases(user)
    ours = repository._case_row_query(where).query.querystrings[0]
    piccolo = Disagreement.select(*repository._COLUMNS).where(where).first().query.querystrings[0]
    engine = Disagreement._meta.db.engine_type
    assert ours.compile_string(engine_type=engine) == piccolo.compile_string(engine_type=engine)
