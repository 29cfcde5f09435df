"""Queries read together in one statement (mediation/batched_reads.py) give exactly what each gives when
awaited alone, for every column type the tables use (issue 17). How many statements the staff case page
sends is pinned in tests/cases/test_case_page_queries.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from piccolo.columns import Bytea
from piccolo.query.functions.aggregate import Count

from mediation import batched_reads, db
from mediation.accounts.tables import Account
from mediation.audit.tables import AuditEvent
from mediation.cases.repository import load_case
from mediation.cases.service import case_detail
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.cases.work import add_note
from mediation.piccolo_app import APP_CONFIG
from mediation.sessions.service import book
from tests.mediation.helpers import make_world
from tests.mediation.test_booking import first_slot, plan_for
from tests.tribunal.helpers import appealed_case, person

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not db.is_postgres(), reason="one statement on PostgreSQL; SQLite runs them in turn"),
]


def _one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batched_reads, "is_postgres", lambda: False)


def _readable(table: Any) -> list[Any]:
    return [c for c in table._meta.columns if not isinstance(c, Bytea)]


async def test_every_tables_rows_read_together_are_the_rows_read_alone(app) -> None:
    # Every column type the service stores, on whatever rows the suite has made so far (the demo data's at
    # least), newest first: what asyncpg gives is what read_together gives.
    read: set[str] = set()
    for table in APP_CONFIG.table_classes:
        columns = _readable(table)

        def query(table: Any = table, columns: list[Any] = columns) -> Any:
            newest = table.select(*columns).order_by(table._meta.primary_key, ascending=False).limit(40)
            return newest.output(load_json=True)

        together = await batched_reads.read_together([query(), query().first()])
        alone = [await query(), await query().first()]
        assert together == alone, table._meta.tablename
        if alone[0]:
            read |= {type(c).__name__ for c in columns}
    assert read >= {
        "Boolean",
        "Date",
        "ForeignKey",
        "Integer",
        "JSON",
        "Serial",
        "Text",
        "Time",
        "Timestamptz",
    }


async def test_json_columns_are_loaded_as_piccolo_loads_them_or_left_as_text(app) -> None:
    def query() -> Any:
        after = AuditEvent.after
        return (
            AuditEvent.select(AuditEvent.id, after)
            .where(after.is_not_null())
            .order_by(AuditEvent.id)
            .limit(5)
        )

    text, loaded = await batched_reads.read_together([query(), query().output(load_json=True)])
    # As text when not asked to load it: the same JSON value (its spacing may be PostgreSQL's or not).
    assert [{**r, "after": json.loads(r["after"])} for r in text] == await query().output(load_json=True)
    assert loaded == await query().output(load_json=True)
    assert any(isinstance(r["after"], dict) for r in loaded)


async def test_a_missing_row_is_none_and_no_rows_an_empty_list(app) -> None:
    nothing = Disagreement.id == -1
    first, rows = await batched_reads.read_together(
        [Disagreement.select().where(nothing).first(), Disagreement.select(Disagreement.id).where(nothing)]
    )
    assert first is None
    assert rows == []


async def test_timestamps_come_back_in_utc_whatever_the_sessions_time_zone(app) -> None:
    # PostgreSQL writes a timestamptz into JSON in the session's time zone; asyncpg's values are UTC.
    query = AuditEvent.select(AuditEvent.id, AuditEvent.at).order_by(AuditEvent.id).limit(3)
    async with db.transaction():
        await AuditEvent.raw("SET LOCAL TIME ZONE 'America/New_York'")
        together, _ = await batched_reads.read_together([query, query.first()])
    assert together == await query
    assert all(r["at"].tzinfo is dt.UTC for r in together)


async def test_what_json_cannot_carry_is_refused_not_mangled(app) -> None:
    with pytest.raises(TypeError, match="Bytea column 'content'"):
        await batched_reads.read_together(
            [CaseDocument.select(CaseDocument.content), CaseDocument.select(CaseDocument.id)]
        )
    with pytest.raises(TypeError, match="table columns only"):
        await batched_reads.read_together([Account.select(Count()), Account.select(Account.id)])


async def test_a_case_loads_the_same_read_together_or_one_query_at_a_time(app, monkeypatch) -> None:
    # One case with a booked meeting and a note, one with an appeal: every part the aggregate and the staff
    # case page read together, compared with the same reads one query at a time.
    w = await make_world()
    plan = plan_for(w)
    plan.starts_at, plan.ends_at = await first_slot(w, plan)
    await book(await w.case(), plan, actor=w.la)
    await add_note(await w.case(), "Spoke to the school", actor=w.la)
    appealed = await appealed_case("batched reads")
    staff = await person("la_coordinator")
    ids = [w.case_id, appealed.id]
    together = [await load_case(i) for i in ids]
    details = [await case_detail(w.la, together[0]), await case_detail(staff, together[1])]
    assert together[0].mediation.live_sessions == 1 and together[0].mediation.mediator_id is not None
    assert together[1].appeal is not None
    assert details[0].notes and details[0].timeline and details[0].matters
    _one_by_one(monkeypatch)
    assert together == [await load_case(i) for i in ids]
    assert details == [await case_detail(w.la, together[0]), await case_detail(staff, together[1])]
