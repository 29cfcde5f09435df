"""Officers who attend a mediation meeting without an account: named, changed and removed by the body
arranging mediation (case events, audited), and every email they get says nothing of the case beyond the
meeting: date, time, place, the case reference and the mediation service's contact."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from icalendar import Calendar

from mediation.attendees import service as guests
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import CaseDocument
from mediation.notify.tables import Notification
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import WorkingCalendar
from mediation.scheduling.slots import LONDON
from mediation.scheduling.tables import SessionAttendee
from mediation.sessions.invites import load_session, place_of, when
from mediation.sessions.service import cancel, reschedule
from tests.confirmations import confirmation_after
from tests.conftest import csrf_token, sign_in
from tests.mediation.helpers import World
from tests.mediation.test_booking import booked, requested

pytestmark = pytest.mark.anyio


def _email(name: str = "officer") -> str:
    return f"{name}.{secrets.token_hex(4)}@council.example"


async def _messages(address: str) -> list[dict]:
    return (
        await Notification.select()
        .where(Notification.recipient_email == address)
        .order_by(Notification.id)
        .output(load_json=True)
    )


async def _calendar(message: dict) -> Calendar | None:
    for item in message["attachments"]:
        doc = (
            await CaseDocument.select(CaseDocument.content)
            .where(CaseDocument.id == item["document_id"])
            .first()
        )
        return Calendar.from_ical(bytes(doc["content"]))
    return None


async def assert_meeting_only(
    message: dict, w: World, session_id: int, *extra_forbidden: str
) -> Calendar | None:
    """The message (and its calendar invite) gives the meeting and nothing else of the case."""
    case = await w.case()
    session = await load_session(session_id)
    service = (
        await Organisation.select(Organisation.name, Organisation.email)
        .where(Organisation.id == w.service_id)
        .first()
    )
    text = f"{message['subject']}\n{message['body_text']}\n{message['body_html']}"
    calendar = await _calendar(message)
    ics = calendar.to_ical().decode() if calendar is not None else ""
    unfolded = ics.replace("\r\n ", "")
    child_parts = [p for p in re.split(r"\s+", case.child_name) if len(p) > 1]
    forbidden = [
        case.child_name,
        *child_parts,
        w.family.full_name,
        w.family.email,
        "is wrong",  # the disagreement's text
        "put right",  # what the family wants
        "Therapy",
        "breaks",  # the family's needs
        "Interpreter",
        "/cases/",  # no link into the case
        w.mediator.full_name,  # nobody else who attends
        w.la.full_name,
        *extra_forbidden,
    ]
    for word in forbidden:
        assert word.casefold() not in text.casefold(), (word, text)
        assert word.casefold() not in unfolded.casefold(), (word, ics)
    assert case.reference in text
    if "cancelled" not in message["subject"] and "no longer" not in message["subject"]:
        assert when(session["starts_at"], session["ends_at"]) in text
    assert place_of(session) in text
    assert service["name"] in text and service["email"] in text
    return calendar


async def _signed_in(app, email: str):
    import httpx

    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local", follow_redirects=False
    )
    await sign_in(client, email)
    return client


async def _post(client, url: str, data: dict) -> object:
    token = await csrf_token(client, url.rsplit("/attendees", 1)[0])
    return await client.post(url, data={**data, "_csrf_token": token})


async def test_an_officer_named_without_an_account_gets_the_invite_and_nothing_else_of_the_case(app):
    w = await requested(accessibility={"breaks": "yes"})
    session_id = await booked(w)
    client = await _signed_in(app, w.la.email)
    page = await client.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")
    assert "Name an officer who attends without an account" in page.text
    address = _email("sam")
    response = await _post(
        client,
        f"/cases/{w.reference}/mediation/sessions/{session_id}/attendees/add",
        {"role": "la_officer", "name": "  Sam   Senior ", "email": address.upper(), "authority": "yes"},
    )
    assert response.status_code == 303, response.text
    assert await confirmation_after(client, response) == "Officer attending added to the meeting"
    row = (
        await SessionAttendee.select()
        .where((SessionAttendee.session == session_id) & (SessionAttendee.email == address))
        .first()
    )
    assert row["account"] is None and row["name"] == "Sam Senior" and row["authority_to_agree"]
    (message,) = await _messages(address)
    assert message["subject"] == f"Invitation to a mediation meeting: {w.reference}"
    calendar = await assert_meeting_only(message, w, session_id)
    assert calendar is not None and calendar.get("method") == "REQUEST"
    page = await client.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")
    assert "Sam Senior" in page.text and address in page.text
    named = (
        await AuditEvent.select(AuditEvent.summary, AuditEvent.actor)
        .where((AuditEvent.disagreement_id == w.case_id) & (AuditEvent.action == "attendee_named"))
        .first()
    )
    assert named["actor"] == w.la.id and "Sam Senior (local authority officer) named" in named["summary"]
    # The family sees who attends, but not the officer's email address.
    family = await _signed_in(app, w.family.email)
    seen = await family.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")
    assert "Sam Senior" in seen.text and address not in seen.text
    await family.aclose()
    # The family and the staff still get their own, fuller notice: the officer's is a different message.
    others = await Notification.select(Notification.body_text).where(
        Notification.dedupe_key.like(f"mediation-session:{session_id}:0:booked:%")
    )
    assert any("regular breaks" in o["body_text"] for o in others)
    await client.aclose()


async def test_moves_cancellations_and_reminders_reach_the_officer_and_say_no_more(app):
    w = await requested(accessibility={"breaks": "yes"})
    session_id = await booked(w)
    address = _email("ira")
    case = await guests.name_guest(
        await w.case(), session_id, {"role": "la_officer", "name": "Ira Head", "email": address}, actor=w.la
    )
    # Moving the meeting still works with an officer named (the plan reads only the officers with accounts).
    session = await load_session(session_id)
    calendar = WorkingCalendar()
    day = calendar.add_working_days(session["starts_at"].astimezone(LONDON).date(), 2).date
    moved_to = dt.datetime.combine(day, session["starts_at"].astimezone(LONDON).time(), tzinfo=LONDON)
    secret_reason = f"{case.child_name} is in hospital"
    await reschedule(case, session_id, moved_to, secret_reason, consent=False, actor=w.la)
    messages = await _messages(address)
    assert [m["subject"].split(":")[0] for m in messages] == [
        "Invitation to a mediation meeting",
        "Mediation meeting moved",
    ]
    moved = await assert_meeting_only(messages[-1], w, session_id, "hospital")
    assert moved is not None and int(moved.walk("VEVENT")[0]["SEQUENCE"]) == 1

    # The reminder: from two working days before the meeting's day, once per meeting time.
    reminder_on = guests.reminder_day(day, calendar)
    before = dt.datetime.combine(calendar.working_days_before(reminder_on, 1).date, dt.time(9), tzinfo=LONDON)
    await guests.remind_guests(before.date(), now=before, local_authorities=[w.la_id])
    assert len(await _messages(address)) == 2  # not yet
    at = dt.datetime.combine(reminder_on, dt.time(9), tzinfo=LONDON)
    await guests.remind_guests(reminder_on, now=at, local_authorities=[w.la_id])
    await guests.remind_guests(reminder_on, now=at + dt.timedelta(hours=2), local_authorities=[w.la_id])
    messages = await _messages(address)
    assert len(messages) == 3 and messages[-1]["subject"].startswith("Reminder: mediation meeting")
    assert await assert_meeting_only(messages[-1], w, session_id, "hospital") is None  # no attachment

    await cancel(await w.case(), session_id, f"{case.child_name} cannot attend", actor=w.la)
    messages = await _messages(address)
    assert messages[-1]["subject"] == f"Mediation meeting cancelled: {w.reference}"
    cancelled = await assert_meeting_only(messages[-1], w, session_id, "cannot attend")
    assert cancelled is not None and cancelled.get("method") == "CANCEL"
    # A cancelled meeting is not reminded.
    await guests.remind_guests(reminder_on, now=at + dt.timedelta(hours=3), local_authorities=[w.la_id])
    assert len(await _messages(address)) == 4


async def test_changing_and_removing_an_officer(app):
    w = await requested()
    session_id = await booked(w)
    first, second = _email("first"), _email("second")
    case = await guests.name_guest(
        await w.case(), session_id, {"role": "la_officer", "name": "Jo Lead", "email": first}, actor=w.la
    )
    (guest,) = await guests.guests_of(session_id)
    client = await _signed_in(app, w.la.email)
    url = f"/cases/{w.reference}/mediation/sessions/{session_id}/attendees/{guest['id']}"

    # The name only: the same address gets the updated invitation.
    response = await _post(
        client, url, {"role": "la_officer", "name": "Jo Leader", "email": first, "authority": "yes"}
    )
    assert response.status_code == 303, response.text
    assert await confirmation_after(client, response) == "Officer attending the meeting changed"
    messages = await _messages(first)
    assert messages[-1]["subject"].startswith("Your invitation to a mediation meeting was updated")
    await assert_meeting_only(messages[-1], w, session_id)

    # Nothing changed: said so, in the error summary, linked to the officer's own form.
    same = await _post(
        client, url, {"role": "la_officer", "name": "Jo Leader", "email": first, "authority": "yes"}
    )
    assert same.status_code == 400 and "Nothing has changed" in same.text
    assert f'href="#guest-{guest["id"]}-name"' in same.text

    # A new address: the old one's invite is cancelled, the new one is invited.
    response = await _post(client, url, {"role": "la_officer", "name": "Jo Leader", "email": second})
    assert response.status_code == 303
    assert await confirmation_after(client, response) == "Officer attending the meeting changed"
    old = (await _messages(first))[-1]
    assert old["subject"].startswith("You are no longer expected")
    assert (await assert_meeting_only(old, w, session_id)).get("method") == "CANCEL"
    (new,) = await _messages(second)
    assert new["subject"].startswith("Invitation to a mediation meeting")
    await assert_meeting_only(new, w, session_id)

    response = await _post(client, f"{url}/remove", {})
    assert response.status_code == 303
    assert await confirmation_after(client, response) == "Officer removed from the meeting"
    assert await guests.guests_of(session_id) == []
    removed = (await _messages(second))[-1]
    assert removed["subject"].startswith("You are no longer expected")
    assert (await assert_meeting_only(removed, w, session_id)).get("method") == "CANCEL"
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.disagreement_id == case.id) & AuditEvent.action.like("attendee_%"))
        .order_by(AuditEvent.id)
    ]
    assert actions == ["attendee_named", "attendee_changed", "attendee_changed", "attendee_removed"]
    # Gone: a second removal is a missing officer, not a 500.
    assert (await _post(client, f"{url}/remove", {})).status_code == 404
    await client.aclose()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "role", "Select whether they attend for the local authority or the health commissioner"),
        ({"role": "la_officer"}, "name", "Enter the officer&#39;s full name"),
        ({"role": "la_officer", "name": "A"}, "email", "Enter the officer&#39;s email address"),
        (
            {"role": "la_officer", "name": "A", "email": "no-at-sign"},
            "email",
            "Enter an email address in the correct format",
        ),
        (
            {"role": "la_officer", "name": "A", "email": "a@b"},
            "email",
            "Enter an email address in the correct format",
        ),
        (
            {"role": "la_officer", "name": "x" * 201, "email": "a@b.example"},
            "name",
            "200 characters or fewer",
        ),
        ({"role": "mediator", "name": "A", "email": "a@b.example"}, "role", "Select whether they attend"),
        (
            {"role": "icb_officer", "name": "A", "email": "a@b.example"},
            "role",
            "No health commissioner (ICB)",
        ),
    ],
)
async def test_what_cannot_be_used_is_named_in_the_error_summary(app, data, field, message):
    w = await requested()
    session_id = await booked(w)
    client = await _signed_in(app, w.la.email)
    response = await _post(
        client, f"/cases/{w.reference}/mediation/sessions/{session_id}/attendees/add", data
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and f'href="#{field}"' in response.text
    assert message in response.text
    assert await guests.guests_of(session_id) == []
    await client.aclose()


async def test_someone_already_attending_cannot_be_named_again(app):
    w = await requested()
    session_id = await booked(w)
    client = await _signed_in(app, w.la.email)
    response = await _post(
        client,
        f"/cases/{w.reference}/mediation/sessions/{session_id}/attendees/add",
        {"role": "la_officer", "name": "Lee Again", "email": w.la.email},
    )
    assert response.status_code == 400 and f"{w.la.email} is already attending this meeting" in response.text
    await client.aclose()


async def test_only_the_body_arranging_mediation_names_officers_and_only_on_a_booked_meeting(app):
    w = await requested(sections=("B", "F", "G"))  # the ICB is a party, and can see the case
    session_id = await booked(w, icb_officer_id=w.icb.id)
    url = f"/cases/{w.reference}/mediation/sessions/{session_id}/attendees/add"
    data = {"role": "icb_officer", "name": "Pat Health", "email": _email("pat")}
    for who, status in ((w.icb, 403), (w.mediator, 403), (w.family, 403)):
        client = await _signed_in(app, who.email)
        assert (await client.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")).status_code == 200
        page = await client.get(f"/cases/{w.reference}/mediation/sessions/{session_id}")
        assert "Name an officer who attends without an account" not in page.text
        assert (await _post(client, url, data)).status_code == status, who.role
        await client.aclose()
    assert await guests.guests_of(session_id) == []

    client = await _signed_in(app, w.la.email)
    assert (await _post(client, url, data)).status_code == 303  # an ICB officer, named by the LA
    (guest,) = await guests.guests_of(session_id)
    assert guest["role"] == "icb_officer"
    await cancel(await w.case(), session_id, "Called off", actor=w.la)
    response = await _post(client, url, {**data, "email": _email("late")})
    assert response.status_code == 409
    assert "Cannot name an officer to attend the meeting: the case is at" in response.text
    change = await _post(client, f"{url.rsplit('/', 1)[0]}/{guest['id']}/remove", {})
    assert change.status_code == 409
    await client.aclose()


async def test_a_full_room_takes_nobody_more(app):
    w = await requested()
    session_id = await booked(w)
    session = await load_session(session_id)
    from mediation.services.tables import Venue

    attending = await SessionAttendee.count().where(SessionAttendee.session == session_id)
    await Venue.update({Venue.capacity: attending}).where(Venue.id == session["venue"])
    with pytest.raises(guests.Invalid) as refused:
        await guests.name_guest(
            await w.case(),
            session_id,
            {"role": "la_officer", "name": "One More", "email": _email()},
            actor=w.la,
        )
    assert "holds" in refused.value.errors["name"] and "already attend" in refused.value.errors["name"]
