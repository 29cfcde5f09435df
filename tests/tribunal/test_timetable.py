"""The tribunal timetable: the LA response date (HESC r.12(3)(b)) and a directed date that overrides it."""

from __future__ import annotations

import datetime as dt

import pytest

from mediation.errors import Refused
from mediation.tribunal.schemas import TimetableInput
from mediation.tribunal.service import compliance, tribunal_view
from mediation.tribunal.tables import TribunalAppeal
from mediation.tribunal.timetable import save_timetable
from tests.confirmations import confirmation_after
from tests.conftest import client_as
from tests.tribunal.helpers import appealed_case, clocks, person

pytestmark = pytest.mark.anyio
D = dt.date


async def _appeal(case_id: int) -> dict:
    return await TribunalAppeal.select().where(TribunalAppeal.disagreement == case_id).first()


async def test_the_la_response_does_not_count_august(app):
    # Received Mon 3 Aug 2026: August is not counted, so day 1 is Tue 1 Sep and day 30 is Mon 12 Oct 2026.
    case = await appealed_case("Response August", notice=D(2026, 5, 1), lodged=D(2026, 7, 20))
    await save_timetable(
        case, TimetableInput(la_received_on=D(2026, 8, 3)), actor=await person("la_coordinator")
    )
    assert (await _appeal(case.id))["response_computed"] == D(2026, 10, 12)
    clock = (await clocks(case.id))["tribunal_la_response"]
    assert (clock["status"], clock["due"], clock["actor"]) == ("running", D(2026, 10, 12), "local_authority")
    assert any("August, not counted" in line for line in clock["explanation"])


async def test_the_la_response_does_not_count_christmas_to_new_year(app):
    # Received Mon 15 Dec 2025: 16-19, 22-24 Dec are days 1-7; 25 Dec-1 Jan are not counted; Fri 2 Jan is
    # day 8; then 5-30 Jan are days 9-28; Mon 2 Feb day 29; Tue 3 Feb 2026 day 30.
    case = await appealed_case("Response Christmas", notice=D(2025, 10, 1), lodged=D(2025, 11, 20))
    after = await save_timetable(
        case, TimetableInput(la_received_on=D(2025, 12, 15)), actor=await person("la_coordinator")
    )
    assert after.running_clock("tribunal_la_response").due == D(2026, 2, 3)
    assert (await clocks(case.id))["tribunal_la_response"]["due"] == D(2026, 2, 3)


async def test_only_the_la_records_the_timetable(app):
    # Issue "One case model": the family is a party to the appeal but the LA records the timetable.
    case = await appealed_case("Timetable family", notice=D(2025, 10, 1), lodged=D(2025, 11, 20))
    with pytest.raises(Refused):
        await save_timetable(
            case, TimetableInput(la_received_on=D(2025, 12, 15)), actor=await person("family")
        )
    assert "tribunal_la_response" not in await clocks(case.id)
    family = await client_as(app, "family")
    assert (await family.get(f"/cases/{case.reference}/tribunal/timetable")).status_code == 403
    assert "/tribunal/timetable" not in (await family.get(f"/cases/{case.reference}/tribunal")).text
    await family.aclose()


async def test_a_directed_date_replaces_the_computed_one_and_both_are_kept(app):
    case = await appealed_case("Response directed", notice=D(2025, 10, 1), lodged=D(2025, 11, 20))
    la = await person("la_coordinator")
    case = await save_timetable(
        case, TimetableInput(la_received_on=D(2025, 12, 15), response_directed=D(2026, 1, 20)), actor=la
    )
    appeal = await _appeal(case.id)
    assert (appeal["response_computed"], appeal["response_directed"]) == (D(2026, 2, 3), D(2026, 1, 20))
    clock = (await clocks(case.id))["tribunal_la_response"]
    assert clock["due"] == D(2026, 1, 20)
    assert "directed the response by Tue 20 Jan 2026" in clock["explanation"][-1]
    view = await tribunal_view(case, la)
    assert (view.appeal.response_due, view.appeal.response_basis) == (D(2026, 1, 20), "directed")
    step = next(s for s in view.steps if s.title == "The local authority's response")
    assert "directed this date, so it applies" in step.meaning and "Tuesday 3 February 2026" in step.meaning
    # Taking the direction away puts the computed date back.
    case = await save_timetable(case, TimetableInput(la_received_on=D(2025, 12, 15)), actor=la)
    assert (await clocks(case.id))["tribunal_la_response"]["due"] == D(2026, 2, 3)
    assert case.running_clock("tribunal_la_response").due == D(2026, 2, 3)


async def test_moving_the_date_of_receipt_keeps_the_directed_date(app):
    case = await appealed_case("Receipt moved", notice=D(2025, 10, 1), lodged=D(2025, 11, 20))
    la = await person("la_coordinator")
    directed = D(2026, 1, 20)
    await save_timetable(
        case, TimetableInput(la_received_on=D(2025, 12, 15), response_directed=directed), actor=la
    )
    case = await save_timetable(
        case, TimetableInput(la_received_on=D(2025, 12, 16), response_directed=directed), actor=la
    )
    appeal = await _appeal(case.id)
    assert (appeal["response_computed"], appeal["response_directed"]) == (D(2026, 2, 4), directed)
    clock = case.running_clock("tribunal_la_response")
    assert (clock.started_on, clock.due) == (D(2025, 12, 16), directed)


async def test_sending_the_response_meets_the_clock_and_takes_it_off_the_la_list(app):
    case = await appealed_case("Response sent", notice=D(2026, 5, 1), lodged=D(2026, 7, 20))
    la = await person("la_coordinator")
    await save_timetable(case, TimetableInput(la_received_on=D(2026, 8, 3)), actor=la)
    listed = await compliance(la)
    assert case.reference in {r.reference for r in listed.responses}
    await save_timetable(
        case, TimetableInput(la_received_on=D(2026, 8, 3), response_sent_on=D(2026, 9, 30)), actor=la
    )
    clock = (await clocks(case.id))["tribunal_la_response"]
    assert (clock["status"], clock["stopped_on"]) == ("met", D(2026, 9, 30))
    assert case.reference not in {r.reference for r in (await compliance(la)).responses}


async def test_a_missed_response_date_shows_as_breached_on_the_la_list(app):
    case = await appealed_case("Response missed", notice=D(2026, 5, 1), lodged=D(2026, 7, 20))
    la = await person("la_coordinator")
    await save_timetable(case, TimetableInput(la_received_on=D(2026, 8, 3)), actor=la)
    row = next(
        r for r in (await compliance(la, breached_only=True)).responses if r.reference == case.reference
    )
    assert (row.response_due, row.status) == (D(2026, 10, 12), "breached")


async def test_the_timetable_page_keeps_typed_values_and_explains_each_problem(app):
    case = await appealed_case("Timetable page", notice=D(2026, 5, 1), lodged=D(2026, 7, 20))
    la = await client_as(app, "la_coordinator")
    url = f"/cases/{case.reference}/tribunal/timetable"
    assert (await la.get(url)).status_code == 200
    token = la.cookies.get("csrftoken")
    fields = {
        "tribunal_reference": "EH999/26/1",
        "hearing_on-day": "1", "hearing_on-month": "12", "hearing_on-year": "2026",
        "bundle_due-day": "10", "bundle_due-month": "12", "bundle_due-year": "2026",
        "la_received_on-day": "3", "la_received_on-month": "8", "la_received_on-year": "2026",
    }  # fmt: skip
    bad = await la.post(url, data={**fields, "_csrf_token": token})
    assert bad.status_code == 400
    assert "The bundle deadline must be before the hearing date" in bad.text
    assert 'value="EH999/26/1"' in bad.text and 'href="#bundle_due-day"' in bad.text
    fields["bundle_due-day"] = "17"
    fields["bundle_due-month"] = "11"
    good = await la.post(url, data={**fields, "_csrf_token": token})
    assert good.status_code == 303
    assert await confirmation_after(la, good) == "Tribunal timetable updated"
    tracker = (await la.get(f"/cases/{case.reference}/tribunal")).text
    assert "Monday 12 October 2026" in tracker and "Tuesday 1 December 2026" in tracker
    assert "EH999/26/1" in tracker
    await la.aclose()


async def test_the_api_records_the_receipt_and_the_response_sent_as_case_events(app):
    case = await appealed_case("Response API", notice=D(2026, 5, 1), lodged=D(2026, 7, 20))
    la = await client_as(app, "la_coordinator")
    await la.get("/home")
    headers = {"x-csrftoken": la.cookies.get("csrftoken", "")}
    events = f"/api/v1/cases/{case.reference}/events"
    received = await la.post(
        events, json={"event": "la_received_appeal", "on": "2026-08-03"}, headers=headers
    )
    assert received.status_code == 200, received.text
    [clock] = [c for c in received.json()["clocks"] if c["rule"] == "tribunal_la_response"]
    assert (clock["due"], clock["status"], clock["who_must_act"]) == (
        "2026-10-12",
        "breached",
        "local_authority",
    )
    again = await la.post(events, json={"event": "la_received_appeal", "on": "2026-08-04"}, headers=headers)
    assert again.status_code == 409 and "already recorded" in again.json()["detail"]
    sent = await la.post(
        events,
        json={"event": "duty_done", "rule": "tribunal_la_response", "on": "2026-09-30"},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    [clock] = [c for c in sent.json()["clocks"] if c["rule"] == "tribunal_la_response"]
    assert (clock["status"], clock["stopped_on"]) == ("met", "2026-09-30")
    appeal = await _appeal(case.id)
    assert (appeal["la_received_on"], appeal["response_sent_on"]) == (D(2026, 8, 3), D(2026, 9, 30))
    await la.aclose()
