"""Faults seen on the meeting pages (issue 15, part 6): who attends, the calendar invite's organiser and
attendee, its content type, and the times offered for moving a meeting."""

from __future__ import annotations

import re

import httpx
import pytest
from icalendar import Calendar

from mediation.organisations.tables import Organisation
from mediation.scheduling.tables import SessionAttendee
from mediation.sessions.service import plan_of, session_of
from tests.conftest import sign_in
from tests.mediation.helpers import World
from tests.mediation.test_booking import booked, invites_for, requested

pytestmark = pytest.mark.anyio


async def _client(app, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    await sign_in(client, email)
    return client


async def _get(app, email: str, url: str) -> httpx.Response:
    client = await _client(app, email)
    response = await client.get(url)
    await client.aclose()
    return response


async def _service_email(w: World) -> str:
    row = await Organisation.select(Organisation.email).where(Organisation.id == w.service_id).first()
    return row["email"]


async def test_who_attends_is_one_line_per_person_without_a_literal_br(app):
    w = await requested()
    session_id = await booked(w)
    page = await _get(app, w.family.email, f"/cases/{w.reference}/mediation/sessions/{session_id}")
    assert page.status_code == 200
    assert "&lt;br&gt;" not in page.text
    assert f"Family: {w.family.full_name}<br>" in page.text


async def test_every_emailed_invite_names_the_service_as_organiser_and_its_recipient_as_attendee(app):
    w = await requested()
    session_id = await booked(w)
    organiser = await _service_email(w)
    calendars = await invites_for(session_id)
    attendees = await SessionAttendee.select().where(SessionAttendee.session == session_id)
    emails = {a["email"].lower() for a in attendees if a["email"]}
    seen = set()
    for calendar in calendars:
        event = calendar.walk("VEVENT")[0]
        assert str(event["ORGANIZER"]).lower() == f"mailto:{organiser}".lower()
        attendee = event["ATTENDEE"]
        assert not isinstance(attendee, list), "each person's copy names only that person"
        seen.add(str(attendee).lower().removeprefix("mailto:"))
    assert seen == emails and len(seen) == 3


async def test_the_downloaded_invite_has_an_organiser_an_attendee_and_one_charset(app):
    w = await requested()
    session_id = await booked(w)
    response = await _get(app, w.la.email, f"/cases/{w.reference}/mediation/sessions/{session_id}/invite.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].count("charset") == 1
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]).lower() == f"mailto:{await _service_email(w)}".lower()
    assert str(event["ATTENDEE"]).lower() == f"mailto:{w.la.email}".lower()


async def test_the_reschedule_list_offers_only_start_times_inside_the_mediators_hours(app):
    w = await requested(hours=((0, "10:00", "16:00"), (2, "09:30", "13:00")))
    session_id = await booked(w, venue_id=None, remote=True)
    from mediation.sessions.pages import start_times

    case = await w.case()
    plan = await plan_of(case, await session_of(case, session_id))
    times = await start_times(plan)
    # 3 hours long: Monday 10:00 to 13:00 starts, Wednesday 09:30 only.
    assert times == ["09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00"]
    client = await _client(app, w.la.email)
    page = await client.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")
    offered = re.findall(r'<option value="(\d\d:\d\d)"', page.text)
    assert offered == times
    refused = await client.post(
        f"/cases/{w.reference}/mediation/sessions/{session_id}/reschedule",
        data={"time": "07:00", "reason": "x", "_csrf_token": client.cookies.get("csrftoken", "")},
    )
    await client.aclose()
    assert refused.status_code == 400 and "Select the new start time" in refused.text
