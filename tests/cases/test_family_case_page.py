"""The case page as the family reads it (issue 15, "the family's view"; issue 13, family wording)."""

from __future__ import annotations

import re

import httpx
import pytest

from mediation import timekeeping
from mediation.rules.calendar import format_long_date
from mediation.rules.wording import family_state
from tests.conftest import DEMO_PASSWORD, sign_in
from tests.mediation.helpers import World, make_world
from tests.tribunal.helpers import appealed_case

pytestmark = pytest.mark.anyio
LEGAL_OR_NOTES = re.compile(r"\(status [PSU]|unconfirmed|Statutory clocks|CFA s\.|SEND Regulations 2014 reg")


async def _as(app, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    await sign_in(client, email, DEMO_PASSWORD)
    return client


def _outside_the_law(html: str) -> str:
    """The page without its "The law behind this date" details (the legal reference families may open)."""
    return re.sub(r'<details class="govuk-details app-law".*?</details>', "", html, flags=re.S)


async def _adviser_contacted(app, w: World) -> None:
    la = await _as(app, w.la.email)
    today = timekeeping.today()
    response = await la.post(
        f"/cases/{w.reference}/mediation/advice",
        data={
            "contacted-day": str(today.day),
            "contacted-month": str(today.month),
            "contacted-year": str(today.year),
            "choice": "mediate",
            "_csrf_token": la.cookies.get("csrftoken", ""),
        },
    )
    assert response.status_code == 303, response.text[-2000:]
    await la.aclose()


async def test_the_family_sees_their_own_next_date_first_not_the_councils(app):
    w = await make_world()
    await _adviser_contacted(app, w)
    case = await w.case()
    council_due = case.next_body_due()
    appeal = case.running_clock("appeal", "family")
    assert council_due is not None and appeal is not None and council_due < appeal.due
    family = await _as(app, w.family.email)
    page = (await family.get(f"/cases/{w.reference}")).text
    first = page.index("Your next date")
    assert page.index("What you need to do next") > first
    assert f"Appeal to the tribunal by <strong>{format_long_date(appeal.due)}</strong>" in page
    assert format_long_date(council_due) not in page[:first]  # never the council's date at the top
    # What to do next: the council named, the meeting date it owes, and the adviser's contact details.
    assert "Milton Keynes City Council will set up your mediation meeting." in page
    assert f"It must be held by {format_long_date(council_due)}." in page
    assert "Independent SEND Mediation advice line" in page
    assert "0300 000 0001" in page and "mailto:advice@independent-mediation.example" in page
    assert "Milton Keynes City Council arranges your mediation." in page
    # The appeal route while an appeal is open to them: form SEND35 and GOV.UK's pages.
    assert (
        "form SEND35" in page and 'href="https://www.gov.uk/appeal-ehc-plan-decision/how-to-appeal"' in page
    )
    await family.aclose()


async def test_the_family_page_keeps_the_law_behind_each_date_and_shows_no_research_notes(app):
    w = await make_world(sections=("B", "G"))
    family = await _as(app, w.family.email)
    page = (await family.get(f"/cases/{w.reference}")).text
    assert page.count("The law behind this date") >= 3  # the next date and every date in the list
    visible = _outside_the_law(page)
    assert not LEGAL_OR_NOTES.search(visible), LEGAL_OR_NOTES.search(visible)
    assert "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board takes part too" in visible
    assert family_state((await w.case()).state) in visible  # the state in words, never the raw state
    # The law is still there for the family who opens it, without the research notes.
    assert "SEND Regulations 2014 reg 33" in page and "unconfirmed" not in page
    staff = await _as(app, w.la.email)
    staff_page = (await staff.get(f"/cases/{w.reference}")).text
    assert "Statutory clocks" in staff_page and "(status " in staff_page  # staff still see the working notes
    for c in (family, staff):
        await c.aclose()


async def test_the_appeal_route_goes_once_the_appeal_is_made(app):
    case = await appealed_case("family page after appeal")
    family = await _as(app, "family@example.com")
    page = (await family.get(f"/cases/{case.reference}")).text
    assert "You have appealed to the tribunal" in page
    assert "The tribunal will write to you about your appeal." in page
    assert "form SEND35" not in page and "Your appeal is with the tribunal." in page
    await family.aclose()


async def test_another_family_never_sees_the_case(app):
    w = await make_world()
    other = await make_world()
    stranger = await _as(app, other.family.email)
    assert (await stranger.get(f"/cases/{w.reference}")).status_code == 404
    assert (await stranger.get(f"/cases/{w.reference}/mediation")).status_code == 404
    await stranger.aclose()


async def test_once_the_meeting_is_booked_the_family_is_told_to_go_and_when(app):
    from tests.wording.page_states import offer_link, slot_keys_offered

    w = await make_world()
    await _adviser_contacted(app, w)
    la = await _as(app, w.la.email)
    link = await offer_link(la, w)
    await la.aclose()
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    offer = await anonymous.get(link)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', offer.text).group(1)
    chosen = await anonymous.post(link, data={"slot": slot_keys_offered(offer.text)[0], "_csrf_token": token})
    assert chosen.status_code == 200
    await anonymous.aclose()
    day = (await w.case()).mediation.last_session_on
    family = await _as(app, w.family.email)
    page = (await family.get(f"/cases/{w.reference}")).text
    assert f"Go to your mediation meeting on {format_long_date(day)}." in page
    assert "Your mediation meeting is booked" in page  # the state in words
    await family.aclose()
