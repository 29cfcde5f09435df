"""The case's mediation page and its forms: service and mediator, adviser contact and choice, telling the
ICB, 'cannot arrange in 30 days', and certificates (their accessible HTML page too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from itertools import groupby

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access, timekeeping
from mediation.advice import service as advice
from mediation.case_mediation.service import MEDIATION_RULES, mediation_view
from mediation.cases.family_view import family_case
from mediation.cases.lookup import date_of, require, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.certificates.service import KINDS, issue_certificate
from mediation.errors import Invalid, NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.offers.service import make_offer, parse_slot
from mediation.polls.replies import polls_of
from mediation.polls.service import open_poll
from mediation.scheduling.service import (
    DURATIONS,
    SessionPlan,
    case_officers,
    needs_of,
    plan_facts,
    search,
)
from mediation.scheduling.slots import LONDON
from mediation.services.service import mediators, mediators_and_venues
from mediation.sessions.invites import when
from mediation.sessions.service import book
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors, whole_number

CLOCK_COLOURS = {"running": "blue", "met": "green", "late": "orange", "breached": "red", "cancelled": "grey"}


async def render_mediation(
    request: Request,
    case: Disagreement,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = user_of(request)
    view = await mediation_view(user, case)
    family = await family_case(case) if user.role == access.FAMILY else None
    return Template(
        "mediation/family_case.html" if family else "mediation/case.html",
        context={
            "family": family,
            "mediation_rules": MEDIATION_RULES,
            "title": f"Mediation for case {case.reference}",
            "case": case,
            "view": view,
            "services": await advice.mediation_services() if "assign_service" in view.actions else [],
            "mediators": await mediators(case.mediation_service_id)  # type: ignore[arg-type]  # assign_mediator is offered only once a service is set
            if "assign_mediator" in view.actions
            else [],
            "choices": advice.CHOICES,
            "kinds": KINDS,
            "clock_colours": CLOCK_COLOURS,
            "errors": errors or {},
            "values": values or {},
            "is_staff": user.is_staff,
            "polls": await polls_of(case.id) if access.may(user, "view_meeting_poll", case) else [],
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation", name="mediation_page", opt={"action": "view_case"})
async def mediation_page(request: Request, reference: FromPath[str]) -> Template:
    return await render_mediation(request, await visible_case(request, reference))


_int = whole_number


async def _with_date(
    v: dict[str, str], field: str, label: str, change: Callable[[dt.date | None], Awaitable[object]]
) -> None:
    """Run a change with the date typed in a GOV.UK date input; a date that cannot be read is reported with
    the change's own field errors, so the summary lists every problem at once."""
    errors: dict[str, str] = {}
    day = date_of(v, field, label, errors)
    try:
        await change(day)
    except Invalid as exc:
        raise Invalid({**exc.errors, **errors}) from exc
    if errors:
        raise Invalid(errors)


async def _service(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await advice.assign_service(case, _int(v.get("service", "")), actor=user)


async def _mediator(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await advice.assign_mediator(case, _int(v.get("mediator", "")), actor=user)


async def _advice(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "contacted",
        "The date the family contacted the adviser",
        lambda day: advice.record_advice(case, contacted_on=day, choice=v.get("choice", ""), actor=user),
    )


async def _icb(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "notified",
        "The date the health commissioner was told",
        lambda day: advice.notify_icb(case, notified_on=day, actor=user),
    )


async def _unable(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "told",
        "The date the mediation adviser was told",
        lambda day: advice.unable_to_arrange(case, told_on=day, reason=v.get("reason", ""), actor=user),
    )


async def _certificate(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "issued",
        "The date the certificate is issued",
        lambda day: issue_certificate(case, day, actor=user, number=v.get("number", "")[:60]),
    )


Handler = Callable[[Disagreement, dict[str, str], CurrentUser], Awaitable[None]]
# Each form: its use case and what the confirmation banner says. The page opens at its top after a save,
# where the banner is (a fragment would scroll past it without JavaScript).
FORMS: dict[str, tuple[Handler, str]] = {
    "service": (_service, "Mediation service saved"),
    "mediator": (_mediator, "Mediator assigned to the case"),
    "advice": (_advice, "Contact with the mediation adviser recorded"),
    "icb-notified": (_icb, "Recorded that the health commissioner was told"),
    "unable": (_unable, "Recorded that mediation cannot be held within 30 days"),
    "certificate": (_certificate, "Mediation certificate issued"),
}


@post("/cases/{reference:str}/mediation/{form:str}", name="mediation_form", opt={"action": "record_event"})
async def mediation_form(
    request: Request, reference: FromPath[str], form: FromPath[str]
) -> Template | Redirect:
    case = await visible_case(request, reference)
    user = user_of(request)
    if form not in FORMS:
        raise NotFound("No such mediation form")
    handler, confirmation = FORMS[form]
    values = await form_values(request)
    try:
        await handler(case, values, user)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        fresh = await visible_case(request, reference)  # the failed change was rolled back
        return await render_mediation(
            request, fresh, errors=errors, values={**values, "_form": form}, status=status
        )
    confirm(request, confirmation)
    return Redirect(f"/cases/{reference}/mediation", status_code=303)


def plan_from(v: dict[str, str]) -> SessionPlan:
    venue = v.get("venue", "")
    return SessionPlan(
        mediator_id=_int(v.get("mediator")) or 0,
        venue_id=None if venue == "remote" else _int(venue),
        remote=venue == "remote",
        duration_minutes=_int(v.get("duration")) or 0,
        la_officer_id=_int(v.get("la_officer")),
        icb_officer_id=_int(v.get("icb_officer")),
        authority_confirmed=v.get("authority") == "yes",
        interpreter=v.get("interpreter", "")[:300],
        shorter_notice_consent=v.get("consent") == "yes",
        needs_hearing_loop=v.get("hearing_loop") == "yes",
        needs_quiet_room=v.get("quiet_room") == "yes",
    )


async def _defaults(case: Disagreement) -> dict[str, str]:
    needs = needs_of(case)
    mediator = case.mediation.mediator_id
    return {"mediator": str(mediator or ""), "venue": "remote" if needs.remote else "", "duration": "180"}


async def render_schedule(
    request: Request,
    case: Disagreement,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    errors = dict(errors or {})
    result = None
    if values.get("search") or errors:
        plan, now = plan_from(values), timekeeping.now()
        facts = await plan_facts(case, plan, since=now.date())
        attending = facts.attending  # listed on the page and checked against the plan
        result = await search(case, plan, now=now, facts=facts)
        errors = {**result.errors, **errors}
        if result.errors and status == 200:
            status = 400
    else:
        attending = await case_officers(case)
    days = []
    if result and result.slots:
        for day, group in groupby(result.slots, key=lambda s: s[0].astimezone(LONDON).date()):
            days.append(
                (day, [(f"{s.isoformat()}/{e.isoformat()}", when(s, e).split(", ")[1]) for s, e in group])
            )
    service = case.mediation_service_id
    listed = await mediators_and_venues(service) if service else ([], [])
    return Template(
        "mediation/schedule.html",
        context={
            "title": f"Find a time for mediation, case {case.reference}",
            "case": case,
            "values": values,
            "errors": errors,
            "result": result,
            "days": days,
            "needs": needs_of(case),
            "mediators": listed[0],
            "venues": listed[1],
            "la_officers": attending.la,
            "icb_officers": attending.icb,
            "durations": DURATIONS,
            "selected": set(values.get("_slots", [])),
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation/schedule", name="mediation_schedule", opt={"action": "schedule"})
async def schedule_page(request: Request, reference: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    require(user_of(request), "schedule", case)
    given = {k: str(v) for k, v in request.query_params.items()}
    values = {**await _defaults(case), **given} if not given.get("search") else given
    return await render_schedule(request, case, values)


@post("/cases/{reference:str}/mediation/sessions", name="mediation_book", opt={"action": "schedule"})
async def book_or_offer(request: Request, reference: FromPath[str]) -> Template | Redirect:
    case = await visible_case(request, reference)
    user = user_of(request)
    require(user, "schedule", case)
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k not in {"_csrf_token", "slots"}}
    keys = [str(k) for k in form.getall("slots", [])]
    values.update({"search": "1", "_slots": keys})  # type: ignore[dict-item]
    plan = plan_from(values)
    try:
        if values.get("action") == "offer":
            await make_offer(case, plan, keys, actor=user)
            confirm(request, "Times offered to the family")
            return Redirect(f"/cases/{reference}/mediation", status_code=303)
        if values.get("action") == "poll":
            poll_id = await open_poll(case, plan, keys, values, actor=user)
            confirm(request, "Times proposed to everyone invited")
            return Redirect(f"/cases/{reference}/mediation/polls/{poll_id}", status_code=303)
        if len(keys) != 1 or (slot := parse_slot(keys[0])) is None:
            raise Invalid({"slots": "Select one time to book, or choose Offer these times to the family"})
        plan.starts_at, plan.ends_at = slot
        session_id = await book(case, plan, actor=user)
    except ServiceError as exc:
        found, status = page_errors(exc)
        fresh = await visible_case(request, reference)
        errors = {("slots" if k in {"slot", "state", "event"} else k): v for k, v in found.items()}
        return await render_schedule(request, fresh, values, errors=errors, status=status)
    confirm(request, "Mediation meeting booked")
    return Redirect(f"/cases/{reference}/mediation/sessions/{session_id}", status_code=303)


ROUTES = [mediation_page, mediation_form, schedule_page, book_or_offer]
