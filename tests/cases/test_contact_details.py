"""The family's contact details (issue 15): captured at lodging with autocomplete and GOV.UK errors, taken
by the API, shown to staff who may see the case and to nobody else, changed by the family or the body
handling the case as the case event `contact_changed`, audited."""

from __future__ import annotations

import re

import httpx
import pytest

from mediation.audit.tables import AuditEvent
from mediation.cases.contact import check_contact, uk_phone
from mediation.cases.repository import load_case
from mediation.cases.tables import Disagreement
from tests.conftest import DEMO_EMAILS, csrf_token, sign_in
from tests.lodging.helpers import la_id, lodge, standard_answers
from tests.mediation.helpers import make_world
from tests.notices.helpers import second_la_with_coordinator

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "number",
    [
        "01632 960 001",
        "07700 900982",
        "+44 7700 900 982",
        "0044 20 7946 0000",
        "(020) 7946-0000",
        "0808 157 0192",
    ],
)
def test_uk_phone_numbers_are_accepted(number: str) -> None:
    assert uk_phone(number) is not None


@pytest.mark.parametrize(
    "number", ["12345", "+1 202 555 0100", "07700 90098", "077009009821", "phone me", "٠٧٧٠٠"]
)
def test_other_phone_numbers_are_refused(number: str) -> None:
    assert uk_phone(number) is None


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({}, "contact_by", "Select how we should contact you"),
        ({"contact_by": "email"}, "contact_email", "Enter your email address"),
        ({"contact_by": "phone"}, "contact_phone", "Enter your phone number"),
        ({"contact_by": "post"}, "postal_address", "Enter your postal address, including the postcode"),
        ({"contact_by": "post", "postal_address": "1 Road", "contact_phone": "999"}, "contact_phone",
         "Enter a UK phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"),
        ({"contact_by": "email", "contact_email": "a@b"}, "contact_email",
         "Enter an email address in the correct format, like name@example.com"),
        # Phone is how they like to be called; dates and letters still need to reach them in writing.
        ({"contact_by": "phone", "contact_phone": "07700 900982"}, "contact_email",
         "Enter an email address or a postal address as well, so we can send you letters and dates"),
    ],
)  # fmt: skip
def test_contact_details_are_checked_with_a_message_for_the_field(values, field, message) -> None:
    contact, errors = check_contact(values)
    assert contact is None
    assert errors[field] == message


def test_a_family_who_prefers_phone_and_large_print_gives_a_written_channel_too() -> None:
    contact, errors = check_contact(
        {"contact_by": "phone", "contact_phone": " 07700  900982 ", "postal_address": "1 Road\r\nMK1 1AA",
         "large_print": ["yes"]}
    )  # fmt: skip
    assert errors == {}
    assert contact is not None
    assert (contact.contact_by, contact.phone, contact.postal_address, contact.large_print) == (
        "phone",
        "07700 900982",
        "1 Road\nMK1 1AA",
        True,
    )


async def test_the_lodging_contact_page_tells_browsers_what_each_field_is(client) -> None:
    """WCAG 1.3.5 (issue 13): email, tel and street-address autocomplete tokens on the contact page."""
    await sign_in(client, "family@example.com")
    token = client.cookies.get("csrftoken")
    draft = (await client.post("/lodge", data={"_csrf_token": token})).headers["location"].split("/")[2]
    page = (await client.get(f"/lodge/{draft}/contact")).text
    assert re.search(r'<input[^>]*id="contact_email"[^>]*autocomplete="email"', page)
    assert re.search(
        r'<input[^>]*id="contact_phone"[^>]*type="tel"[^>]*autocomplete="tel"', page
    ) or re.search(r'<input[^>]*id="contact_phone"[^>]*autocomplete="tel"', page)
    assert re.search(r'<textarea[^>]*id="postal_address"[^>]*autocomplete="street-address"', page)
    assert 'name="large_print"' in page


async def test_a_bad_phone_number_at_lodging_is_shown_in_the_error_summary_and_kept(client) -> None:
    await sign_in(client, "family@example.com")
    token = client.cookies.get("csrftoken")
    draft = (await client.post("/lodge", data={"_csrf_token": token})).headers["location"].split("/")[2]
    response = await client.post(
        f"/lodge/{draft}/contact",
        data={"_csrf_token": token, "contact_by": "phone", "contact_phone": "call me", "contact_email": ""},
    )
    assert response.status_code == 400
    assert 'href="#contact_phone"' in response.text
    assert "Enter a UK phone number" in response.text
    assert 'value="call me"' in response.text


async def test_lodging_keeps_phone_preference_and_large_print_on_the_case(client) -> None:
    await sign_in(client, "family@example.com")
    steps = standard_answers(await la_id())
    steps[-1] = (
        "contact",
        {"contact_by": "phone", "contact_phone": "07700 900123", "contact_email": "family@example.com",
         "postal_address": "3 Print Lane\nMilton Keynes\nMK2 2BB", "large_print": ["yes"]},
    )  # fmt: skip
    _, reference = await lodge(client, steps)
    row = await Disagreement.select().where(Disagreement.reference == reference).first()
    assert (row["contact_by"], row["contact_phone"], row["contact_email"], row["large_print"]) == (
        "phone",
        "07700 900123",
        "family@example.com",
        True,
    )
    assert row["postal_address"] == "3 Print Lane\nMilton Keynes\nMK2 2BB"


async def test_the_api_takes_optional_contact_preferences(client) -> None:
    await sign_in(client, DEMO_EMAILS["la_coordinator"])
    body = {
        "local_authority": "E06000042",
        "decision": "refuse_assessment",
        "decision_notice_sent": "2026-11-20",
        "child": {"name": "Api Contact Child", "date_of_birth": "2016-01-02"},
        "family": {"name": "Api Parent", "phone": "07700 900555", "postal_address": "9 Api Road\nMK3 3CC",
                   "preferred_contact": "phone", "large_print": True},
    }  # fmt: skip
    response = await client.post(
        "/api/v1/cases", json=body, headers={"x-csrftoken": client.cookies["csrftoken"]}
    )
    assert response.status_code == 201, response.text
    shown = response.json()
    assert (shown["contact_phone"], shown["postal_address"], shown["large_print"]) == (
        "07700 900555",
        "9 Api Road\nMK3 3CC",
        True,
    )
    bad = {**body, "family": {**body["family"], "phone": "not a phone"}}
    refused = await client.post(
        "/api/v1/cases", json=bad, headers={"x-csrftoken": client.cookies["csrftoken"]}
    )
    assert refused.status_code == 422
    assert "UK phone number" in refused.text


async def test_staff_who_may_see_the_case_see_the_contact_details_and_another_la_never_does(app) -> None:
    world = await make_world(contact_by="post")
    case = await load_case(world.case_id)
    async with _client(app) as la, _client(app) as other:
        await sign_in(la, world.la.email)
        page = (await la.get(f"/cases/{world.reference}")).text
        assert "1 Family Road" in page and "MK1 1AA" in page
        assert "Prefers" in page and "Post" in page
        await second_la_with_coordinator(other)
        assert (await other.get(f"/cases/{world.reference}")).status_code == 404
        assert (await other.get(f"/api/v1/cases/{world.reference}")).status_code == 404
        assert (await other.get(f"/cases/{world.reference}/contact")).status_code == 404
        token = await csrf_token(other, "/home")
        changed = await other.post(
            f"/cases/{world.reference}/contact",
            data={"_csrf_token": token, "contact_by": "email", "contact_email": "thief@example.com"},
        )
        assert changed.status_code == 404
    assert (await load_case(world.case_id)).contact_email == case.contact_email


async def test_the_family_changes_its_contact_details_and_the_change_is_a_logged_case_event(app) -> None:
    world = await make_world()
    async with _client(app) as family:
        await sign_in(family, world.family.email)
        form = (await family.get(f"/cases/{world.reference}/contact")).text
        assert 'autocomplete="tel"' in form
        ids = re.findall(r'\sid="([^"]+)"', form)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        case_page = (await family.get(f"/cases/{world.reference}")).text
        ids = re.findall(r'\sid="([^"]+)"', case_page)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        token = await csrf_token(family, f"/cases/{world.reference}/contact")
        response = await family.post(
            f"/cases/{world.reference}/contact",
            data={
                "_csrf_token": token,
                "contact_by": "post",
                "contact_email": world.family.email,
                "contact_phone": "01632 960001",
                "postal_address": "5 New Road\nMK4 4DD",
                "large_print": "yes",
            },
        )
        assert response.status_code == 303, response.text
        shown = (await family.get(response.headers["location"])).text
        assert "Contact details saved" in shown and "5 New Road" in shown
    case = await load_case(world.case_id)
    assert (case.contact_by, case.contact_phone, case.postal_address, case.large_print) == (
        "post",
        "01632 960001",
        "5 New Road\nMK4 4DD",
        True,
    )
    assert case.written_email == ""  # post asked for, with an address: letters, not emails
    logged = (
        await AuditEvent.select()
        .where((AuditEvent.disagreement_id == world.case_id) & (AuditEvent.action == "contact_changed"))
        .output(load_json=True)
        .first()
    )
    assert logged is not None and logged["actor"] == world.family.id
    assert (
        logged["before"]["contact_by"] == "email"
        and logged["after"]["postal_address"] == "5 New Road\nMK4 4DD"
    )


async def test_the_handling_la_may_change_the_details_but_the_icb_and_the_mediator_may_not(app) -> None:
    world = await make_world(sections=("B", "G"))  # the ICB is a party; the LA handles the case
    data = {"contact_by": "phone", "contact_phone": "07700 900777", "contact_email": "new@example.com"}
    async with _client(app) as icb, _client(app) as mediator, _client(app) as la:
        for client, person in ((icb, world.icb), (mediator, world.mediator)):
            await sign_in(client, person.email)
            assert (await client.get(f"/cases/{world.reference}")).status_code == 200
            token = await csrf_token(client, "/home")
            refused = await client.post(
                f"/cases/{world.reference}/contact", data={"_csrf_token": token, **data}
            )
            assert refused.status_code == 403
        await sign_in(la, world.la.email)
        token = await csrf_token(la, f"/cases/{world.reference}/contact")
        bad = await la.post(
            f"/cases/{world.reference}/contact", data={"_csrf_token": token, **data, "contact_phone": "999"}
        )
        assert bad.status_code == 400 and 'href="#contact_phone"' in bad.text
        saved = await la.post(f"/cases/{world.reference}/contact", data={"_csrf_token": token, **data})
        assert saved.status_code == 303
    case = await load_case(world.case_id)
    assert (case.contact_by, case.contact_phone, case.contact_email) == (
        "phone",
        "07700 900777",
        "new@example.com",
    )
    logged = await AuditEvent.select(AuditEvent.actor, AuditEvent.summary).where(
        (AuditEvent.disagreement_id == world.case_id) & (AuditEvent.action == "contact_changed")
    )
    assert [r["actor"] for r in logged] == [world.la.id]
    assert "changed the family's contact details (how to contact, email, phone)" in logged[0]["summary"]


async def test_the_contact_details_change_through_the_events_api_with_the_same_rules(app) -> None:
    world = await make_world(sections=("B", "G"))  # the ICB is a party: it sees the case
    url = f"/api/v1/cases/{world.reference}/events"
    event = {"event": "contact_changed", "preferred_contact": "post", "postal_address": "7 Api Road\nMK7 7GG"}
    async with _client(app) as family, _client(app) as icb, _client(app) as other:
        await sign_in(family, world.family.email)
        headers = {"x-csrftoken": family.cookies["csrftoken"]}
        bad = await family.post(url, json={**event, "phone": "12"}, headers=headers)
        assert bad.status_code == 422 and "UK phone number" in bad.text
        done = await family.post(url, json=event, headers=headers)
        assert done.status_code == 200, done.text
        assert done.json()["postal_address"] == "7 Api Road\nMK7 7GG"
        await sign_in(icb, world.icb.email)
        refused = await icb.post(url, json=event, headers={"x-csrftoken": icb.cookies["csrftoken"]})
        assert refused.status_code == 403
        await second_la_with_coordinator(other)
        hidden = await other.post(url, json=event, headers={"x-csrftoken": other.cookies["csrftoken"]})
        assert hidden.status_code == 404
    assert (await load_case(world.case_id)).contact_by == "post"


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )
