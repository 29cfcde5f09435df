"""Family pages read at reading age 11 or younger (Flesch-Kincaid grade 6; the lodging questions grade 5),
measured on the visible text of every family-facing page state (issue 13). Each line (heading, paragraph,
list item, table cell, label) counts as a sentence; the "The law behind this date" details are legal
reference and not measured."""

from __future__ import annotations

import os
import secrets

import httpx
import pytest
import textstat

from tests.conftest import CSRF_FIELD, DEMO_EMAILS, DEMO_PASSWORD, sign_in
from tests.wording.page_states import page_states
from tests.wording.visible_text import as_sentences, visible_lines

pytestmark = pytest.mark.anyio


def grade(html: str) -> float:
    return float(textstat.flesch_kincaid_grade(as_sentences(visible_lines(html))))


def test_the_measure_counts_each_line_as_a_sentence_and_skips_the_law():
    page = (
        "<main><h1>Appeal by Monday 18 January 2027</h1><ul><li>Send the form</li><li>Keep a copy</li></ul>"
        '<details class="govuk-details app-law"><summary>The law behind this date</summary>'
        "<div>Tribunal Procedure (First-tier Tribunal) (Health, Education and Social Care Chamber) "
        "Rules 2008 rule 20(1)(c)</div></details><script>var x = 'considerable complexity';</script>"
        "<p hidden>Unintelligible administrative terminology</p></main><footer>Outside</footer>"
    )
    assert visible_lines(page) == ["Appeal by Monday 18 January 2027", "Send the form", "Keep a copy"]
    assert as_sentences(["Send the form", "Keep a copy."]) == "Send the form. Keep a copy."
    assert as_sentences(["Your case SM-1E3C9E76 for Kit ChildD6B232", "By 2 January 2027, 9:30am"]) == (
        "Your case code for Kit code. By Tuesday 14 April 2026, 9:30am."
    )


def test_a_pages_score_does_not_depend_on_the_day_it_is_read():
    # The same page on two days: the calendar's words for the dates differ, the copy does not.
    def page(appeal: str, meeting: str) -> str:
        return f"<main><p>Appeal by {appeal}</p><p>The meeting is on {meeting}, 9:00am to 12:00pm</p></main>"

    long_words = page("Saturday 23 January 2027", "Wednesday 23 December")
    short_words = page("Monday 1 March 2027", "Friday 4 June")
    assert grade(long_words) == grade(short_words)


def test_the_measure_fails_legal_wording():
    legal = (
        "<main><p>The local authority must arrange mediation within thirty days of notification pursuant to "
        "regulation 37 of the Special Educational Needs and Disability Regulations 2014</p></main>"
    )
    assert grade(legal) > 6


async def test_every_family_page_reads_at_reading_age_11_or_younger(app):
    clients: dict[str, httpx.AsyncClient] = {}

    async def client_for(who: str) -> httpx.AsyncClient:
        if who not in clients:
            # A client address of its own: /reply counts wrong codes per client, and other tests' tries
            # from the default test address would turn the "wrong code" page into "too many tries".
            address = (f"198.51.100.{secrets.randbelow(250) + 1}", 50000)
            transport = httpx.ASGITransport(app=app, client=address)  # type: ignore[arg-type]
            c = httpx.AsyncClient(transport=transport, base_url="http://testserver.local")
            if who != "public":
                await sign_in(c, DEMO_EMAILS["family"] if who == "family" else who, DEMO_PASSWORD)
            clients[who] = c
        return clients[who]

    states = await page_states(app)
    scores = []
    for state in states:
        client = await client_for(state.who)
        if state.form is None:
            response = await client.get(state.path)
        else:
            page = await client.get(state.path)  # as a browser would, for the form's CSRF token
            token = CSRF_FIELD.search(page.text)
            response = await client.post(
                state.path, data={**state.form, "_csrf_token": token.group(1) if token else ""}
            )
        assert response.status_code == state.status, (state.name, response.status_code, response.text[-2000:])
        scores.append((state, grade(response.text)))
        if os.environ.get("READABILITY_SHOW") in (state.name, "all"):
            print(f"--- {state.name}", *visible_lines(response.text), sep="\n")
    for c in clients.values():
        await c.aclose()
    report = "\n".join(
        f"{'FAIL' if score > limit else 'ok  '} grade {score:4.1f} (limit {limit:g})  {state.name}"
        for state, score, limit in ((s, g, s.grade) for s, g in scores)
    )
    print(report)
    assert all(score <= state.grade for state, score in scores), "Flesch-Kincaid grade per page:\n" + report
