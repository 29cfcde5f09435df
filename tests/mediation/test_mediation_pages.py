"""The mediation pages over HTTP, as the coordinator, the mediator and the family use them."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import httpx
import pytest
from icalendar import Calendar

from mediation import timekeeping
from mediation.certificates.tables import MediationCertificate
from mediation.notify.tables import Notification
from mediation.offers.tables import SessionOffer
from tests.confirmations import confirmation_after
from tests.conftest import sign_in
from tests.mediation.helpers import World, make_world

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def as_user(app, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    await sign_in(client, email)
    return client


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def post(client: httpx.AsyncClient, url: str, data: dict) -> httpx.Response:
    return await client.post(url, data={**data, "_csrf_token": client.cookies.get("csrftoken", "")})


async def requested_world(app) -> tuple[World, httpx.AsyncClient]:
    w = await make_world()
    la = await as_user(app, w.la.email)
    response = await post(
        la, f"/cases/{w.reference}/mediation/advice", {**date_fields("contacted", TODAY), "choice": "mediate"}
    )
    assert response.status_code == 303, response.text
    return w, la


def search_query(w: World) -> dict[str, str]:
    return {
        "search": "1",
        "mediator": str(w.profile_id),
        "venue": str(w.venue_id),
        "duration": "180",
        "la_officer": str(w.la.id),
        "authority": "yes",
    }


def slot_keys(html: str) -> list[str]:
    return [unescape(k) for k in re.findall(r'name="slots" type="checkbox" value="([^"]+)"', html)]


async def test_the_coordinator_records_the_adviser_contact_and_sees_the_clock_met(app):
    w = await make_world()
    la = await as_user(app, w.la.email)
    page = await la.get(f"/cases/{w.reference}/mediation")
    assert page.status_code == 200 and "Record the family's contact with the mediation adviser" in page.text
    bad = await post(
        la,
        f"/cases/{w.reference}/mediation/advice",
        {"contacted-day": "31", "contacted-month": "2", "contacted-year": "2027", "choice": ""},
    )
    assert bad.status_code == 400
    assert (
        "There is a problem" in bad.text
        and 'href="#contacted-day"' in bad.text
        and 'href="#choice"' in bad.text
    )
    assert 'value="31"' in bad.text  # what was typed is kept
    ok = await post(
        la, f"/cases/{w.reference}/mediation/advice", {**date_fields("contacted", TODAY), "choice": "mediate"}
    )
    assert ok.status_code == 303
    assert await confirmation_after(la, ok) == "Contact with the mediation adviser recorded"
    assert (await w.clocks())["contact_mediation_adviser"]["status"] == "met"
    await la.aclose()


async def test_the_mediator_issues_a_certificate_the_family_can_read_and_download(app):
    w = await make_world(wants_mediation=False)
    mediator = await as_user(app, w.mediator.email)
    await post(
        mediator,
        f"/cases/{w.reference}/mediation/advice",
        {**date_fields("contacted", TODAY), "choice": "decline"},
    )
    response = await post(
        mediator,
        f"/cases/{w.reference}/mediation/certificate",
        {"kind": "after_decline", **date_fields("issued", TODAY)},
    )
    assert response.status_code == 303, response.text
    assert await confirmation_after(mediator, response) == "Mediation certificate issued"
    number = (
        await MediationCertificate.select().where(MediationCertificate.disagreement == w.case_id).first()
    )["number"]
    family = await as_user(app, w.family.email)
    page = await family.get(f"/cases/{w.reference}/mediation/certificates/{number}")
    assert page.status_code == 200 and f"Certificate number:</strong> {number}" in page.text
    assert (
        "Record the family" not in (await family.get(f"/cases/{w.reference}/mediation")).text
    )  # no staff forms
    document = re.search(r"/cases/[^/]+/documents/(\d+)", page.text).group(1)
    pdf = await family.get(f"/cases/{w.reference}/documents/{document}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    refused = await post(family, f"/cases/{w.reference}/mediation/certificate", {"kind": "after_decline"})
    assert refused.status_code == 403
    for client in (mediator, family):
        await client.aclose()


async def test_the_coordinator_finds_a_time_books_it_and_downloads_the_invite(app):
    w, la = await requested_world(app)
    results = await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))
    assert results.status_code == 200 and "Times that meet every rule" in results.text
    keys = slot_keys(results.text)
    assert keys
    booked = await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "book"},
    )
    assert booked.status_code == 303, booked.text
    assert await confirmation_after(la, booked) == "Mediation meeting booked"
    session_url = booked.headers["location"]
    page = await la.get(session_url)
    assert page.status_code == 200 and "Move this meeting" in page.text
    ics = await la.get(f"{session_url}/invite.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert Calendar.from_ical(ics.content).walk("VEVENT")[0]["SEQUENCE"] == 0
    # The same time again is refused with a clear message, as a conflict.
    again = await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "book"},
    )
    assert again.status_code in {400, 409} and "There is a problem" in again.text
    # Moving without a reason keeps the typed values and says what is missing.
    moved = await post(
        la, f"{session_url}/reschedule", {**date_fields("new", TODAY), "time": "10:00", "reason": ""}
    )
    assert moved.status_code == 400 and "Enter why the session is being moved" in moved.text
    await la.aclose()


async def test_two_coordinators_booking_the_same_time_the_loser_sees_a_conflict(app):
    w, la = await requested_world(app)
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))).text)
    other = await make_world()
    from mediation.advice.service import assign_service, record_advice

    await assign_service(await other.case(), w.service_id, actor=other.la)
    await record_advice(await other.case(), contacted_on=TODAY, choice="mediate", actor=other.la)
    first = await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "book"},
    )
    assert first.status_code == 303
    la2 = await as_user(app, other.la.email)
    query = {**search_query(w), "la_officer": str(other.la.id)}
    second = await post(
        la2, f"/cases/{other.reference}/mediation/sessions", {**query, "slots": keys[0], "action": "book"}
    )
    assert second.status_code == 409
    assert "The mediator is already booked at that time" in second.text or "just booked" in second.text
    for client in (la, la2):
        await client.aclose()


async def test_the_family_picks_an_offered_time_through_a_signed_link_without_signing_in(app):
    w, la = await requested_world(app)
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))).text)
    too_few = await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "offer"},
    )
    assert too_few.status_code == 400 and "Select at least 2 times" in too_few.text
    offered = await la.post(
        f"/cases/{w.reference}/mediation/sessions",
        data={
            **search_query(w),
            "slots": keys[:3],
            "action": "offer",
            "_csrf_token": la.cookies.get("csrftoken"),
        },
    )
    assert offered.status_code == 303
    assert await confirmation_after(la, offered) == "Times offered to the family"
    offer = await SessionOffer.select().where(SessionOffer.disagreement == w.case_id).first()
    message = (
        await Notification.select().where(Notification.dedupe_key == f"mediation-offer:{offer['id']}").first()
    )
    link = re.search(r"/mediation/offers/(\S+)", message["body_text"]).group(0)
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    page = await anonymous.get(link)
    assert page.status_code == 200 and "Choose a time for your mediation meeting" in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    missing = await anonymous.post(link, data={"_csrf_token": token})
    assert missing.status_code == 400 and "Select one of the times offered" in missing.text
    chosen = await anonymous.post(link, data={"slot": keys[1], "_csrf_token": token})
    assert chosen.status_code == 200 and "Your mediation meeting is booked" in chosen.text
    assert (await w.case()).state == "session_arranged"
    used = await anonymous.get(link)
    assert used.status_code == 410
    forged = await anonymous.get("/mediation/offers/forged.token")
    assert forged.status_code == 410
    for client in (la, anonymous):
        await client.aclose()


async def test_the_mediator_records_the_outcome_with_specific_errors_first(app):
    w, la = await requested_world(app)
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))).text)
    await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "book"},
    )
    mediator = await as_user(app, w.mediator.email)
    page = await mediator.get(f"/cases/{w.reference}/mediation/outcome")
    assert page.status_code == 200 and "Issue by issue" in page.text
    bad = await post(mediator, f"/cases/{w.reference}/mediation/outcome", {"outcome-B": "agreed"})
    assert bad.status_code == 400
    for field in ("held-day", "outcome-F", "agreement_text", "agreement-day"):
        assert f'href="#{field}"' in bad.text, field
    # The LA may record it too (api-contract.md: mediation_held by the LA, the ICB or the mediator); the
    # family may not.
    assert (await la.get(f"/cases/{w.reference}/mediation/outcome")).status_code == 200
    family = await as_user(app, w.family.email)
    assert (await family.get(f"/cases/{w.reference}/mediation/outcome")).status_code == 403
    await family.aclose()
    for client in (la, mediator):
        await client.aclose()


async def test_the_mediation_service_adds_rooms_and_hours_with_errors_on_the_right_fields(app):
    w = await make_world()
    mediator = await as_user(app, w.mediator.email)
    page = await mediator.get("/mediation-service")
    assert page.status_code == 200 and "Mediators and rooms" in page.text
    bad = await post(mediator, "/mediation-service/venues", {"name": "", "address": "", "capacity": "1"})
    assert bad.status_code == 400
    assert 'href="#venues-name"' in bad.text and 'href="#venues-capacity"' in bad.text
    ok = await post(
        mediator,
        "/mediation-service/venues",
        {"name": "Quiet Room", "address": "2 Road", "capacity": "6", "step_free": "yes"},
    )
    assert ok.status_code == 303
    assert await confirmation_after(mediator, ok) == "Room added"
    hours = await post(
        mediator,
        "/mediation-service/hours",
        {"mediator": str(w.profile_id), "weekday": "2", "starts": "17:00", "ends": "09:00"},
    )
    assert hours.status_code == 400 and "The end time must be after the start time" in hours.text
    leave = await post(
        mediator,
        "/mediation-service/leave",
        {
            "mediator": str(w.profile_id),
            **date_fields("first", TODAY),
            **date_fields("last", TODAY - dt.timedelta(days=1)),
        },
    )
    assert leave.status_code == 400 and 'href="#leave-last-day"' in leave.text
    await mediator.aclose()


async def test_the_api_books_and_answers_409_for_a_time_just_taken(app):
    w, la = await requested_world(app)
    token = la.cookies.get("csrftoken", "")
    plan = {
        "mediator_id": w.profile_id,
        "venue_id": w.venue_id,
        "la_officer_id": w.la.id,
        "authority_confirmed": True,
    }
    slots = await la.post(
        f"/api/v1/cases/{w.reference}/mediation/slots", json=plan, headers={"x-csrftoken": token}
    )
    assert slots.status_code == 200, slots.text
    first = slots.json()["slots"][0]
    booked = await la.post(
        f"/api/v1/cases/{w.reference}/mediation/sessions",
        json={**plan, **first},
        headers={"x-csrftoken": token},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["mediation"]["state"] == "session_arranged"
    # Another case wanting the same mediator at the same time.
    other = await make_world()
    from mediation.advice.service import assign_service, record_advice

    await assign_service(await other.case(), w.service_id, actor=other.la)
    await record_advice(await other.case(), contacted_on=TODAY, choice="mediate", actor=other.la)
    la2 = await as_user(app, other.la.email)
    clash = await la2.post(
        f"/api/v1/cases/{other.reference}/mediation/sessions",
        json={**plan, "la_officer_id": other.la.id, **first},
        headers={"x-csrftoken": la2.cookies.get("csrftoken", "")},
    )
    assert clash.status_code == 409 and "already booked" in clash.json()["detail"]
    bad = await la.post(
        f"/api/v1/cases/{w.reference}/events",
        json={"event": "adviser_contacted", "on": "2020-01-01"},
        headers={"x-csrftoken": token},
    )
    # The contact is already recorded (the family asked for mediation when it lodged, and the LA recorded
    # the contact): the lifecycle refuses a second one in its own words.
    assert bad.status_code == 409 and "already recorded" in bad.json()["detail"]
    view = await la.get(f"/api/v1/cases/{w.reference}/mediation")
    assert view.status_code == 200 and view.json()["sessions"][0]["status"] == "booked"
    for client in (la, la2):
        await client.aclose()


async def test_the_api_refuses_a_time_without_a_time_zone(app):
    w, la = await requested_world(app)
    plan = {
        "mediator_id": w.profile_id,
        "venue_id": w.venue_id,
        "la_officer_id": w.la.id,
        "authority_confirmed": True,
    }
    response = await la.post(
        f"/api/v1/cases/{w.reference}/mediation/sessions",
        json={**plan, "starts_at": "2099-01-06T10:00:00", "ends_at": "2099-01-06T13:00:00"},
        headers={"x-csrftoken": la.cookies.get("csrftoken", "")},
    )
    assert response.status_code == 400 and "timezone" in response.json()["detail"]
    await la.aclose()


async def test_the_la_records_an_outside_advisers_certificate_when_no_service_is_assigned(app):
    """With no mediation service on the case, the LA records the certificate the adviser issued: its clock
    stops and the appeal is recomputed, with no document issued in anyone's name."""
    from mediation.advice.service import record_advice
    from mediation.cases.repository import update_case

    w = await make_world(wants_mediation=False)
    await record_advice(await w.case(), contacted_on=TODAY, choice="decline", actor=w.la)
    await update_case(w.case_id, {"mediation_service": None}, dt.datetime.now(dt.UTC))
    la = await as_user(app, w.la.email)
    page = await la.get(f"/cases/{w.reference}/mediation")
    assert "the family does not wish to pursue mediation" in page.text
    assert 'name="number"' in page.text
    response = await post(
        la,
        f"/cases/{w.reference}/mediation/certificate",
        {**date_fields("issued", TODAY), "number": "ADV-77"},
    )
    assert response.status_code == 303, response.text
    case = await w.case()
    assert case.state == "certificate_issued" and case.mediation.outside_certificate_number == "ADV-77"
    assert case.running_clock("certificate_after_decline") is None
    assert case.running_clock("appeal").version == 2
    await la.aclose()
