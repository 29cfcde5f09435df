"""Every family-facing page state the readability test reads, built through the same services and pages a
family uses. To add a page, add a `PageState` to `page_states()`: who sees it, its address and its limit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

import httpx

from mediation import timekeeping
from mediation.notify.tables import Notification
from mediation.offers.tables import SessionOffer
from tests.conftest import sign_in
from tests.lodging.helpers import answer, la_id, lodge, standard_answers, start_draft
from tests.mediation.helpers import World, make_world, person
from tests.mediation.test_mediation_pages import search_query, slot_keys
from tests.mediation.test_meeting_polls import _link as _poll_link
from tests.mediation.test_meeting_polls import _poll_world
from tests.notices.helpers import issue, notice_input
from tests.tribunal.helpers import appealed_case

PAGE_GRADE = 6.0  # reading age 11
QUESTION_GRADE = 5.0  # the lodging questions (issue 13)


@dataclass(frozen=True)
class PageState:
    name: str
    path: str
    who: str  # "public", "family" (the demo family) or a family account's email
    grade: float = PAGE_GRADE
    status: int = 200
    form: dict[str, object] | None = None  # posted (with the CSRF token) instead of fetched: an answer's page


def _client(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver.local",
        follow_redirects=False,
    )


async def _post(client: httpx.AsyncClient, url: str, data: dict[str, object]) -> httpx.Response:
    return await client.post(url, data={**data, "_csrf_token": client.cookies.get("csrftoken", "")})


def _day(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


async def offer_link(la: httpx.AsyncClient, w: World) -> str:
    """The signed link of an offer of meeting times, as the family receives it by email."""
    query = search_query(w)
    keys = slot_keys((await la.get(f"/cases/{w.reference}/mediation/schedule", params=query)).text)
    offered = await _post(
        la, f"/cases/{w.reference}/mediation/sessions", {**query, "slots": keys[:3], "action": "offer"}
    )
    assert offered.status_code == 303, offered.text[-2000:]
    offer = await SessionOffer.select().where(SessionOffer.disagreement == w.case_id).first()
    message = (
        await Notification.select().where(Notification.dedupe_key == f"mediation-offer:{offer['id']}").first()
    )
    link = re.search(r"/mediation/offers/(\S+)", message["body_text"])
    assert link
    return link.group(0)


def slot_keys_offered(html: str) -> list[str]:
    """The times an offer page lets the family pick."""
    return [unescape(k) for k in re.findall(r'name="slot" type="radio" value="([^"]+)"', html)]


def _query(**values: str) -> str:
    return "&".join(f"{k}={v}" for k, v in values.items())


async def page_states(app: object) -> list[PageState]:
    """Builds the cases behind the pages, each family with its own account (the shared test database holds
    other tests' drafts and notices for the demo family), then lists the page states."""
    today = timekeeping.today()
    reader = await person("family", None, "Sam Reader")
    await issue(notice_input("refuse_assessment", email=reader.email, name="Alex Reader"), sent_on=today)
    family = _client(app)
    await sign_in(family, reader.email)
    states = [
        PageState("calculator", "/deadline-calculator", "public"),
        PageState(
            "calculator, appeal date",
            "/deadline-calculator?" + _query(rule="appeal", **_day("start", today)),
            "public",
        ),
        PageState(
            "calculator, mediation date",
            "/deadline-calculator?" + _query(rule="mediation_held_by_la", **_day("start", today)),
            "public",
        ),
        PageState("calculator, nothing chosen", "/deadline-calculator?rule=", "public", status=400),
        PageState("who handles it", "/who-handles-my-disagreement", "public"),
        PageState(
            "who handles it, plan with health",
            "/who-handles-my-disagreement?decision=plan_contents&sections=B&sections=G",
            "public",
        ),
        PageState(
            "who handles it, refusal to assess",
            "/who-handles-my-disagreement?decision=refuse_assessment",
            "public",
        ),
        PageState("family home", "/home", reader.email),
        PageState("lodging start", "/lodge", reader.email),
    ]

    # The lodging journey: every question as the family first sees it, then check and confirmation.
    la = await la_id()
    draft = await start_draft(family)
    for step, data in standard_answers(la, sections=["B", "F", "G"]):
        states.append(PageState(f"lodging: {step}", f"/lodge/{draft}/{step}", reader.email, QUESTION_GRADE))
        response = await answer(family, draft, step, data)
        assert response.status_code == 303, (step, response.text[-2000:])
    # The questions again with a problem: the error summary and the messages are read too.
    for step, form in (("child", {"child_name": ""}), ("decision", {"decision": ""}), ("mediation", {})):
        states.append(
            PageState(
                f"lodging: {step}, with a problem",
                f"/lodge/{draft}/{step}",
                reader.email,
                QUESTION_GRADE,
                400,
                form,
            )
        )
    states.append(PageState("lodging: check your answers", f"/lodge/{draft}/check", reader.email))
    done, reference = await lodge(family, standard_answers(la))
    states.append(PageState("lodging: confirmation", f"/lodge/{done}/confirmation", reader.email))
    states.append(PageState("case: just lodged, mediation wanted", f"/cases/{reference}", reader.email))
    states.append(
        PageState("case mediation page: just lodged", f"/cases/{reference}/mediation", reader.email)
    )

    # A case whose mediation is being arranged, with an offer of times to the family.
    w = await make_world()
    la_client = _client(app)
    await sign_in(la_client, w.la.email)
    done_advice = await _post(
        la_client, f"/cases/{w.reference}/mediation/advice", {**_day("contacted", today), "choice": "mediate"}
    )
    assert done_advice.status_code == 303, done_advice.text[-2000:]
    link = await offer_link(la_client, w)
    states.append(PageState("offer of meeting times", link, "public"))
    await la_client.aclose()
    # The same offer for another family, answered: the booked meeting as the family then sees it.
    booked = await make_world()
    la_client = _client(app)
    await sign_in(la_client, booked.la.email)
    done_advice = await _post(
        la_client,
        f"/cases/{booked.reference}/mediation/advice",
        {**_day("contacted", today), "choice": "mediate"},
    )
    assert done_advice.status_code == 303, done_advice.text[-2000:]
    booked_link = await offer_link(la_client, booked)
    await la_client.aclose()
    anonymous = _client(app)
    offer_page = await anonymous.get(booked_link)
    chosen = slot_keys_offered(offer_page.text)[0]
    states.append(PageState("offer answered: meeting booked", booked_link, "public", form={"slot": chosen}))
    # Read after the answer above (states are read in order): the used link, and the case with its meeting.
    states.append(PageState("offer link already used", booked_link, "public", status=410))
    states.append(PageState("case: meeting booked", f"/cases/{booked.reference}", booked.family.email))
    states.append(
        PageState(
            "case mediation page: meeting booked", f"/cases/{booked.reference}/mediation", booked.family.email
        )
    )
    await anonymous.aclose()
    them = w.family.email
    states.append(PageState("case: mediation being arranged", f"/cases/{w.reference}", them))
    states.append(PageState("case mediation page: times offered", f"/cases/{w.reference}/mediation", them))

    # A meeting poll: the family's own link, as they first open it and once answered, and the reply-by-code
    # page a family invited by post types its code into.
    polled, la_client, _, poll_id = await _poll_world(app)
    await la_client.aclose()
    poll_link = await _poll_link(poll_id, "family")
    states.append(PageState("meeting poll: the family's link", poll_link, "public"))
    states.append(
        PageState(
            "meeting poll: a time not answered", poll_link, "public", status=400, form={"slot-0": "yes"}
        )
    )
    every = {f"slot-{n}": "yes" for n in range(3)}  # the three times _poll_world proposes
    states.append(PageState("meeting poll: answered", poll_link, "public", form=every))
    states.append(PageState("reply by code", "/reply", "public"))
    states.append(
        PageState("reply by code, wrong code", "/reply", "public", status=400, form={"code": "ABCD-EFGH"})
    )

    # Health only: the ICB arranges mediation once the council has told it.
    health = await make_world(sections=("G",))
    states.append(
        PageState("case: health only, ICB arranges", f"/cases/{health.reference}", health.family.email)
    )

    # A case that needs no mediation (the family declined): the appeal is open to them.
    declined = await make_world(wants_mediation=False, sections=("B",))
    states.append(
        PageState(
            "case: mediation declined, appeal open", f"/cases/{declined.reference}", declined.family.email
        )
    )

    # An appeal lodged with the tribunal (the demo family's case).
    appealed = await appealed_case(f"readability {today.isoformat()} {draft}")
    states.append(PageState("case: appeal lodged", f"/cases/{appealed.reference}", "family"))
    states.append(
        PageState("case tribunal page: appeal lodged", f"/cases/{appealed.reference}/tribunal", "family")
    )

    # The decision notice the council sent the family, as they read it.
    home = await family.get("/home")
    notice = re.search(r'href="(/notices/[^"/]+)"', home.text)
    assert notice, "the family's notice is linked from their home page"
    states.append(PageState("decision notice", notice.group(1), reader.email))
    await family.aclose()
    return states
