"""The slot finder page reads each thing once (issue 17): the case's officers are listed on the page and
checked against the plan, and the legal window bounds the search and the slots, from one read each.
Before, the officers were read twice and the window twice: 23 queries where 20 do. On PostgreSQL the
independent reads go together (mediation/batched_reads.py): 17 statements before, 6 now."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest

from mediation import db
from tests.mediation.test_mediation_pages import requested_world, search_query, slot_keys
from tests.query_count import counted_queries

pytestmark = pytest.mark.anyio


async def _searched(app) -> tuple[Any, str, list[str]]:  # noqa: ANN001 - the app fixture
    """A search on the slot finder page the second time (the first warms what is built once): the world,
    the page and the SQL it sent."""
    w, la = await requested_world(app)
    path = f"/cases/{w.reference}/mediation/schedule?{urlencode(search_query(w))}"
    assert (await la.get(path)).status_code == 200
    with counted_queries() as queries:
        found = await la.get(path)
    assert found.status_code == 200
    assert slot_keys(found.text)  # the search ran and found times
    return w, found.text, queries


async def test_the_slot_finder_sends_no_query_twice(app):
    w, text, queries = await _searched(app)
    assert f'value="{w.la.id}"' in text  # the officer list is on the page
    repeated = {sql: n for sql, n in Counter(queries).items() if n > 1}
    assert repeated == {}


@pytest.mark.skipif(not db.is_postgres(), reason="SQLite runs the reads one after another")
async def test_the_slot_finder_reaches_postgresql_in_six_statements(app):
    _, _, queries = await _searched(app)
    # The session; the case row; its parts; what the plan is checked against (the officers, the mediator
    # and their independence, the room, the legal window, hours, leave and closures); who is busy; and
    # the service's mediators, their hours and leave, and its rooms, for the form.
    assert len(queries) == 6, queries
