"""The family's signed link to the times offered: choose one and it is booked (no sign-in)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from mediation.errors import ServiceError
from mediation.offers.service import open_offer, parse_slot, take_offer
from mediation.services.service import venue_of
from mediation.sessions.invites import place_of, when
from mediation.sessions.service import session_times
from mediation.web.forms import form_values


async def _offer_page(token: str, errors: dict[str, str], status: int = 200) -> Template:
    opened = await open_offer(token)
    if opened is None:
        return Template(
            "mediation/offer_closed.html", context={"title": "This link has expired"}, status_code=410
        )
    offer, case = opened
    plan = offer["plan"]
    venue = await venue_of(plan.get("venue_id"))
    named = {"venue_name": venue["name"], "venue_address": venue["address"]} if venue else {}
    place = place_of({"remote": plan.get("remote"), **named})
    slots = [
        (f"{s['starts_at']}/{s['ends_at']}", when(*parse_slot(f"{s['starts_at']}/{s['ends_at']}") or ()))
        for s in offer["slots"]
    ]
    return Template(
        "mediation/offer.html",
        context={
            "title": "Choose a time for your mediation meeting",
            "reference": case.reference,
            "slots": slots,
            "place": place,
            "token": token,
            "errors": errors,
        },
        status_code=status,
    )


@get("/mediation/offers/{token:str}", name="mediation_offer", opt={"action": "public"})
async def offer_page(token: FromPath[str]) -> Template:
    return await _offer_page(token, {})


@post("/mediation/offers/{token:str}", name="mediation_offer_take", opt={"action": "public"})
async def offer_take(request: Request, token: FromPath[str]) -> Template:
    v = await form_values(request)
    try:
        session_id = await take_offer(token, v.get("slot", ""))
    except ServiceError as exc:
        errors = {"slot": next(iter(exc.errors.values()))}
        conflict = exc.status_code == 409
        if await open_offer(token) is None and not conflict:
            return Template(
                "mediation/offer_closed.html", context={"title": "This link has expired"}, status_code=410
            )
        return await _offer_page(token, errors, status=409 if conflict else 400)
    starts_at, ends_at = await session_times(session_id)
    return Template(
        "mediation/offer_done.html",
        context={
            "title": "Your mediation meeting is booked",
            "when": when(starts_at, ends_at),
        },
    )


ROUTES = [offer_page, offer_take]
