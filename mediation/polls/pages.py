"""Meeting poll pages: the coordinator's results and booking (signed in, the body arranging mediation or the
mediation service), and each invitee's answer page (their own signed link, no account)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.lookup import require, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.cases.repository import load_case
from mediation.errors import NotFound, ServiceError
from mediation.polls.replies import answer, book_from_poll, invitee_by_link, invitees_of, poll_of, results
from mediation.polls.service import ANSWERS, ROLE_WORDS, slot_key
from mediation.services.service import venue_of
from mediation.sessions.invites import REMOTE_PLACE
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors

CLOSED = "mediation/poll_link_closed.html"


async def _place(plan: dict[str, Any]) -> str:
    if plan.get("remote") or not plan.get("venue_id"):
        return REMOTE_PLACE
    venue = await venue_of(plan["venue_id"])
    if venue is None:
        return ""
    address = " ".join(str(venue["address"]).split())
    return f"{venue['name']}, {address}" if address else str(venue["name"])


async def render_poll(
    request: Request,
    case: Disagreement,
    poll_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = user_of(request)
    require(user, "view_meeting_poll", case)
    poll = await poll_of(case, poll_id)
    invitees = await invitees_of(poll_id)
    rows = results(poll, invitees)
    best = next((r["key"] for r in rows if r["best"]), "")
    return Template(
        "mediation/poll.html",
        context={
            "title": f"Find a time with everyone, case {case.reference}",
            "case": case,
            "poll": poll,
            "invitees": invitees,
            "role_words": ROLE_WORDS,
            "rows": rows,
            "place": await _place(poll["plan"]),
            "la_officers": [i for i in invitees if i["role"] == "la_officer"],
            "errors": errors or {},
            "values": values if values is not None else {"slot": best},
        },
        status_code=status,
    )


@get(
    "/cases/{reference:str}/mediation/polls/{poll_id:int}",
    name="mediation_poll",
    opt={"action": "view_meeting_poll"},
)
async def poll_page(request: Request, reference: FromPath[str], poll_id: FromPath[int]) -> Template:
    case = await visible_case(request, reference)
    return await render_poll(request, case, poll_id)


@post(
    "/cases/{reference:str}/mediation/polls/{poll_id:int}/book",
    name="mediation_poll_book",
    opt={"action": "session_booked"},
)
async def poll_book(
    request: Request, reference: FromPath[str], poll_id: FromPath[int]
) -> Template | Redirect:
    case = await visible_case(request, reference)
    values = await form_values(request)
    try:
        session_id = await book_from_poll(case, poll_id, values, actor=user_of(request))
    except ServiceError as exc:
        found, status = page_errors(exc)
        errors = {("slot" if k in {"state", "event", "slots"} else k): v for k, v in found.items()}
        fresh = await visible_case(request, reference)
        return await render_poll(request, fresh, poll_id, errors=errors, values=values, status=status)
    confirm(request, "Mediation meeting booked and everyone invited told")
    return Redirect(f"/cases/{reference}/mediation/sessions/{session_id}", status_code=303)


async def _answer_page(
    token: str, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Template:
    found = await invitee_by_link(token)
    if found is None:
        return Template(CLOSED, context={"title": "This link does not work any more"}, status_code=410)
    invitee, poll = found
    case = await load_case(poll["disagreement"])
    if not values and invitee["answers"]:  # answering again starts from what they said before
        values = {f"slot-{n}": invitee["answers"].get(slot_key(s), "") for n, s in enumerate(poll["slots"])}
    return Template(
        "mediation/poll_answer.html",
        context={
            "title": "Which times can you come to the mediation meeting?",
            "token": token,
            "reference": case.reference,
            "invitee": invitee,
            "rows": results(poll, []),
            "answers": ANSWERS,
            "reply_by": poll["reply_by"],
            "place": await _place(poll["plan"]),
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


@get("/meeting-polls/{token:str}", name="meeting_poll_answer", opt={"action": "answer_meeting_poll"})
async def answer_page(token: FromPath[str]) -> Template:
    return await _answer_page(token, {}, {})


@post("/meeting-polls/{token:str}", name="meeting_poll_reply", opt={"action": "answer_meeting_poll"})
async def answer_save(request: Request, token: FromPath[str]) -> Template:
    values = await form_values(request)
    try:
        invitee = await answer(token, values)
    except NotFound:
        return Template(CLOSED, context={"title": "This link does not work any more"}, status_code=410)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return await _answer_page(token, errors, values, status)
    return Template(
        "mediation/poll_answered.html",
        context={"title": "Thank you, we have your answer", "name": invitee["name"], "token": token},
    )


ROUTES = [poll_page, poll_book, answer_page, answer_save]
