"""The public "Who handles my disagreement?" checker sent with nothing chosen: a GOV.UK error summary whose
link lands on the first radio, not the same page again with no word of what is missing."""

from __future__ import annotations

import pytest

from tests.conftest import client_as
from tests.page_ids import element_with_id
from tests.public.test_public_pages import CHECKER, ERROR_SUMMARY, summary_links

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("query", ["check=1", "check=1&sections=F"], ids=["nothing", "only-sections"])
async def test_the_checker_sent_without_a_decision_says_what_to_choose(app, query):
    client = await client_as(app, "anonymous")
    try:
        response = await client.get(f"{CHECKER}?{query}")
    finally:
        await client.aclose()
    assert response.status_code == 400
    assert ERROR_SUMMARY in response.text
    assert response.text.count("<title>Error: ") == 1
    assert summary_links(response) == {"decision": "Select the decision you disagree with"}
    assert element_with_id(response.text, "decision") == "input"  # the first radio
    assert 'value="1" name="check"' in response.text  # the button itself sends it


async def test_the_checker_opened_afresh_shows_no_error(app):
    client = await client_as(app, "anonymous")
    try:
        response = await client.get(CHECKER)
    finally:
        await client.aclose()
    assert response.status_code == 200 and ERROR_SUMMARY not in response.text
