"""The slot finder by keyboard, without JavaScript: "Find times" lands on the results (a fragment whose
heading takes focus), and "Book this time" comes before the list of times as well as after it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.mediation.test_mediation_pages import requested_world, search_query
from tests.page_ids import duplicate_ids

pytestmark = pytest.mark.anyio

BOOK = '<button type="submit" value="book" name="action"'


async def test_find_times_lands_on_the_results_and_book_comes_before_the_times(app):
    w, la = await requested_world(app)
    search_form = await la.get(f"/cases/{w.reference}/mediation/schedule")
    assert f'action="/cases/{w.reference}/mediation/schedule#times"' in search_form.text

    found = await la.get(f"/cases/{w.reference}/mediation/schedule?{urlencode(search_query(w))}")
    assert found.status_code == 200
    page = found.text
    assert '<h2 class="govuk-heading-m" id="times" tabindex="-1">Times that meet every rule</h2>' in page
    assert page.count(BOOK) == 2
    first_time = page.index('name="slots" type="checkbox"')
    assert page.index(BOOK) < first_time < page.rindex(BOOK)  # one before the times, one after
    assert page.index('id="times"') < page.index(BOOK)  # after the heading that takes focus
    assert page.count('name="slots" type="checkbox"') > 10
    assert duplicate_ids(page) == []
