"""The outcome form (mediator), the family's booking page (signed link, no account) and the mediation
service's own page (mediators, their independence, working hours, leave, rooms)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.advice.common import MediationError
from mediation.case_mediation.pages import date_of, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.errors import ServiceError
from mediation.offers.service import open_offer, parse_slot, take_offer
from mediation.outcomes.service import OUTCOMES, IssueResult, OutcomeForm, issues_of, record_outcome
from mediation.rules.catalogue import ORDER_RULE_IDS
from mediation.scheduling.tables import MediationSession
from mediation.services import service as people
from mediation.services.tables import Venue
from mediation.sessions.invites import place_of, when
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors, whole_number


async def _outcome_page(
    case: Disagreement, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Template:
    return Template(
        "mediation/outcome.html",
        context={
            "title": f"Record the outcome of mediation, case {case.reference}",
            "case": case,
            "issues": await issues_of(case),
            "outcomes": OUTCOMES,
            "orders": ORDER_RULE_IDS,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


def _outcome_guard(request: Request, case: Disagreement) -> None:
    if not access.may(user_of(request), "mediation_held", case, None):
        raise PermissionDeniedException(access.refusal("mediation_held"))


@get("/cases/{reference:str}/mediation/outcome", name="mediation_outcome", opt={"action": "mediation_held"})
async def outcome_page(request: Request, reference: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    _outcome_guard(request, case)
    return await _outcome_page(case, {}, {})


@post(
    "/cases/{reference:str}/mediation/outcome",
    name="mediation_outcome_save",
    opt={"action": "mediation_held"},
)
async def outcome_save(request: Request, reference: FromPath[str]) -> Template | Redirect:
    case = await visible_case(request, reference)
    _outcome_guard(request, case)
    v = await form_values(request)
    errors: dict[str, str] = {}
    held = date_of(v, "held", "The date the mediation was held", errors)
    agreed_on = date_of(v, "agreement", "The date of the written agreement", errors)
    agreed_due = date_of(v, "agreed_due", "The agreed date", errors)
    results = [
        IssueResult(i.issue, v.get(f"outcome-{i.issue}", ""), v.get(f"note-{i.issue}", "")[:2000])
        for i in await issues_of(case)
    ]
    form = OutcomeForm(
        held_on=held,
        results=results,
        agreement_text=v.get("agreement_text", ""),
        agreement_date=agreed_on,
        order=v.get("order", ""),
        agreed_due=agreed_due,
    )
    try:
        if errors:
            raise MediationError(errors)
        await record_outcome(case, form, actor=user_of(request))
    except ServiceError as exc:
        found, status = page_errors(exc)
        fresh = await visible_case(request, reference)
        return await _outcome_page(fresh, {**found, **errors}, v, status=status)
    confirm(request, "Outcome of mediation recorded")
    return Redirect(f"/cases/{reference}/mediation", status_code=303)


async def _offer_page(token: str, errors: dict[str, str], status: int = 200) -> Template:
    opened = await open_offer(token)
    if opened is None:
        return Template(
            "mediation/offer_closed.html", context={"title": "This link has expired"}, status_code=410
        )
    offer, case = opened
    plan = offer["plan"]
    venue = (
        await Venue.select(Venue.name.as_alias("venue_name"), Venue.address.as_alias("venue_address"))
        .where(Venue.id == (plan.get("venue_id") or 0))
        .first()
    )
    place = place_of({"remote": plan.get("remote"), **(venue or {})})
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
    session = (
        await MediationSession.select(MediationSession.starts_at, MediationSession.ends_at)
        .where(MediationSession.id == session_id)
        .first()
    )
    return Template(
        "mediation/offer_done.html",
        context={
            "title": "Your mediation meeting is booked",
            "when": when(session["starts_at"], session["ends_at"]),
        },
    )


async def _service_page(
    request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Template:
    service = user_of(request).organisation_id
    if service is None:
        raise NotFoundException("No mediation service")
    return Template(
        "mediation/service.html",
        context={
            "title": "Mediators and rooms",
            "mediators": await people.mediators(service),
            "venues": await people.venues(service),
            "staff": await people.service_staff(service),
            "employers": await people.employers(),
            "weekdays": people.WEEKDAYS,
            "features": people.FEATURES,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


@get("/mediation-service", name="mediation_service", opt={"action": "manage_mediation_service"})
async def service_page(request: Request) -> Template:
    return await _service_page(request, {}, {})


_int = whole_number


# The mediation service's own forms, and what the confirmation banner says after each.
SERVICE_SAVED = {
    "mediators": "Mediator added",
    "hours": "Working hours added",
    "leave": "Leave added",
    "venues": "Room added",
}


@post(
    "/mediation-service/{form:str}", name="mediation_service_form", opt={"action": "manage_mediation_service"}
)
async def service_form(request: Request, form: FromPath[str]) -> Template | Redirect:
    user = user_of(request)
    service = user.organisation_id
    if service is None or form not in SERVICE_SAVED:
        raise NotFoundException("No such form")
    v = await form_values(request)
    errors: dict[str, str] = {}
    try:
        if form == "mediators":
            await people.save_mediator(
                service,
                _int(v.get("account")),
                _int(v.get("employed_by")),
                v.get("nhs_england") == "yes",
                actor=user,
            )
        elif form == "hours":
            await people.add_hours(
                service,
                _int(v.get("mediator")) or 0,
                v.get("weekday", ""),
                v.get("starts", ""),
                v.get("ends", ""),
                actor=user,
            )
        elif form == "leave":
            first = date_of(v, "first", "The first day of leave", errors)
            last = date_of(v, "last", "The last day of leave", errors)
            try:
                await people.add_leave(
                    service,
                    _int(v.get("mediator")) or 0,
                    first,
                    last,
                    v.get("leave_reason", "").strip(),
                    actor=user,
                )
            except MediationError as exc:
                raise MediationError({**{_day_key(k): m for k, m in exc.errors.items()}, **errors}) from exc
        else:
            await people.add_venue(service, v, actor=user)
    except MediationError as exc:
        # Field ids carry the form's name: several forms on the page share field names.
        prefixed = {f"{form}-{key}": message for key, message in exc.errors.items()}
        return await _service_page(request, prefixed, {**v, "_form": form}, status=400)
    confirm(request, SERVICE_SAVED[form])
    return Redirect("/mediation-service", status_code=303)


def _day_key(key: str) -> str:
    return f"{key}-day" if key in {"first", "last"} else key


ROUTES = [outcome_page, outcome_save, offer_page, offer_take, service_page, service_form]
