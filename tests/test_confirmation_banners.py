"""After a staff save the page it lands on says, once, in a GOV.UK success banner, what was saved
(`mediation/web/confirmations.py`). The sentence comes from the handler through the session: no address
can make a page announce something that was not done. Saves covered here and beside their own tests:
adviser contact, service, mediator, certificate, booking, offer, move, cancel, outcome, officers
attending, mediation-service forms, re-routing, every tribunal step, bulk notices, new staff accounts."""

from __future__ import annotations

import secrets

import pytest

from mediation import timekeeping
from mediation.organisations.tables import Organisation
from mediation.scheduling.tables import MediationSession
from tests.confirmations import banners, confirmation_after
from tests.conftest import client_as, csrf_token
from tests.mediation.helpers import make_world
from tests.mediation.test_mediation_pages import (
    as_user,
    date_fields,
    post,
    requested_world,
    search_query,
    slot_keys,
)
from tests.mediation.test_outcome import held_today
from tests.page_ids import duplicate_ids

pytestmark = pytest.mark.anyio
TODAY = timekeeping.today()


async def test_the_service_and_the_mediator_saved_each_say_so(app):
    w = await make_world()
    la = await as_user(app, w.la.email)
    saved = await post(la, f"/cases/{w.reference}/mediation/service", {"service": str(w.service_id)})
    assert await confirmation_after(la, saved) == "Mediation service saved"
    mediator = await as_user(app, w.mediator.email)
    assigned = await post(
        mediator, f"/cases/{w.reference}/mediation/mediator", {"mediator": str(w.profile_id)}
    )
    assert await confirmation_after(mediator, assigned) == "Mediator assigned to the case"
    for client in (la, mediator):
        await client.aclose()


async def test_a_meeting_moved_and_then_cancelled_each_say_so_on_the_meeting_page(app):
    w, la = await requested_world(app)
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=search_query(w))).text)
    booked = await post(
        la,
        f"/cases/{w.reference}/mediation/sessions",
        {**search_query(w), "slots": keys[0], "action": "book"},
    )
    assert await confirmation_after(la, booked) == "Mediation meeting booked"
    session_url = booked.headers["location"]
    later = keys[-1].split("/")[0]  # the last time offered: the mediator is free then
    day, at = later[:10], later[11:16]
    moved = await post(
        la,
        f"{session_url}/reschedule",
        {
            "new-day": day[8:],
            "new-month": day[5:7],
            "new-year": day[:4],
            "time": at,
            "reason": "Family asked",
        },
    )
    assert await confirmation_after(la, moved) == "Mediation meeting moved"
    cancelled = await post(la, f"{session_url}/cancel", {"cancel_reason": "The family withdrew"})
    assert await confirmation_after(la, cancelled) == "Mediation meeting cancelled"
    await la.aclose()


async def test_the_outcome_recorded_says_so_on_the_mediation_page(app):
    w, la = await requested_world(app)
    await held_today(w)
    mediator = await as_user(app, w.mediator.email)
    saved = await post(
        mediator,
        f"/cases/{w.reference}/mediation/outcome",
        {**date_fields("held", TODAY), "outcome-B": "not_agreed", "outcome-F": "not_agreed"},
    )
    assert await confirmation_after(mediator, saved) == "Outcome of mediation recorded"
    assert await MediationSession.count().where(MediationSession.disagreement == w.case_id) == 1
    for client in (la, mediator):
        await client.aclose()


async def test_the_mediation_service_hours_saved_say_so(app):
    w = await make_world(hours=())
    mediator = await as_user(app, w.mediator.email)
    saved = await post(
        mediator,
        "/mediation-service/hours",
        {"mediator": str(w.profile_id), "weekday": "0", "starts": "09:00", "ends": "17:00"},
    )
    assert await confirmation_after(mediator, saved) == "Working hours added"
    await mediator.aclose()


async def test_a_new_staff_account_is_confirmed_from_the_session_and_the_address_cannot_fake_it(app):
    admin = await client_as(app, "admin")
    try:
        forged = await admin.get("/admin/accounts?created=someone%40evil.example")
        assert forged.status_code == 200
        assert banners(forged.text) == [] and "evil.example" not in forged.text
        la = await Organisation.select(Organisation.id).where(Organisation.code == "E06000042").first()
        email = f"nia.new.{secrets.token_hex(3)}@milton-keynes.example"
        created = await admin.post(
            "/admin/accounts/new",
            data={
                "full_name": "Nia New",
                "email": email,
                "role": "la_coordinator",
                "organisation": str(la["id"]),
                "password": f"Temporary-{secrets.token_hex(6)}",
                "_csrf_token": await csrf_token(admin, "/admin/accounts/new"),
            },
        )
        confirmed = await confirmation_after(admin, created)
        assert confirmed == f"Account created for {email}"
    finally:
        await admin.aclose()


async def test_a_confirmation_waits_for_the_next_page_only_and_an_error_page_does_not_show_it(app):
    w = await make_world()
    la = await as_user(app, w.la.email)
    saved = await post(la, f"/cases/{w.reference}/mediation/service", {"service": str(w.service_id)})
    assert saved.status_code == 303
    bad = await post(la, f"/cases/{w.reference}/mediation/service", {"service": ""})  # next page: an error
    assert bad.status_code == 400 and banners(bad.text) == []
    again = await la.get(f"/cases/{w.reference}/mediation")
    assert banners(again.text) == []  # used up, not carried past the error page
    assert duplicate_ids(again.text) == []
    await la.aclose()


async def test_an_api_token_request_keeps_no_confirmation(app):
    from mediation.accounts import api_tokens

    w = await make_world()
    token = await api_tokens.create_token(w.la.email, name="Their CMS")
    client = await client_as(app, "anonymous")
    try:
        headers = {"Authorization": f"Bearer {token.token}"}
        done = await client.post(
            f"/cases/{w.reference}/mediation/service", data={"service": str(w.service_id)}, headers=headers
        )
        assert done.status_code == 303
        assert "set-cookie" not in {k.lower() for k in done.headers}  # no session made to carry it
    finally:
        await client.aclose()
