"""The slot finder page reads each thing once (issue 17): the case's officers are listed on the page and
checked against the plan, and the legal window bounds the search and the slots, from one read each.
Before, the officers were read twice and the window twice: 23 queries where 20 do."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

import pytest

from tests.mediation.test_mediation_pages import requested_world, search_query, slot_keys
from tests.query_count import counted_queries

pytestmark = pytest.mark.anyio


async def test_the_slot_finder_sends_no_query_twice(app):
    w, la = await requested_world(app)
    path = f"/cases/{w.reference}/mediation/schedule?{urlencode(search_query(w))}"
    assert (await la.get(path)).status_code == 200
    with counted_queries() as queries:
        found = await la.get(path)
    assert found.status_code == 200
    assert slot_keys(found.text)  # the search ran and found times
    assert f'value="{w.la.id}"' in found.text  # the officer list is on the page
    repeated = {sql: n for sql, n in Counter(queries).items() if n > 1}
    assert repeated == {}
