"""Finding a time, booking it or offering several to the family, and moving or cancelling a session."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.advice.common import MediationError
from mediation.case_mediation.pages import date_of, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.errors import ServiceError
from mediation.identity import CurrentUser
from mediation.offers.service import make_offer, parse_slot
from mediation.polls.service import open_poll
from mediation.scheduling.service import DURATIONS, SessionPlan, needs_of, officers, search
from mediation.scheduling.slots import LONDON, STEP
from mediation.scheduling.tables import SessionAttendee
from mediation.services.service import mediators, venues
from mediation.services.tables import WorkingHours
from mediation.sessions.invites import ROLE_LABELS, build_ics, is_guest, load_session, place_of, when
from mediation.sessions.service import book, cancel, plan_of, reschedule
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors, whole_number

_int = whole_number


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


async def start_times(plan: SessionPlan) -> list[str]:
    """The start times (HH:MM, England) at which a session of the plan's length fits inside one of the
    mediator's working blocks on some weekday: the reschedule list offers nothing outside their hours."""
    length = dt.timedelta(minutes=plan.duration_minutes)
    times: set[str] = set()
    for block in await WorkingHours.select().where(WorkingHours.mediator == plan.mediator_id):
        begin = dt.datetime.combine(dt.date(2000, 1, 3), block["starts"])
        end = dt.datetime.combine(begin.date(), block["ends"])
        while begin + length <= end:
            times.add(f"{begin:%H:%M}")
            begin += STEP
    return sorted(times)


def _guard(user: CurrentUser, case: Disagreement) -> None:
    if not access.may(user, "schedule", case):
        raise PermissionDeniedException(access.refusal("schedule"))


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
        result = await search(case, plan_from(values))
        errors = {**result.errors, **errors}
        if result.errors and status == 200:
            status = 400
    days = []
    if result and result.slots:
        for day, group in groupby(result.slots, key=lambda s: s[0].astimezone(LONDON).date()):
            days.append(
                (day, [(f"{s.isoformat()}/{e.isoformat()}", when(s, e).split(", ")[1]) for s, e in group])
            )
    service = case.mediation_service_id
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
            "mediators": await mediators(service) if service else [],
            "venues": await venues(service) if service else [],
            "la_officers": await officers(case.local_authority_id, "la_coordinator"),
            "icb_officers": await officers(case.icb_id, "health_commissioner"),
            "durations": DURATIONS,
            "selected": set(values.get("_slots", [])),
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation/schedule", name="mediation_schedule", opt={"action": "schedule"})
async def schedule_page(request: Request, reference: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    _guard(user_of(request), case)
    given = {k: str(v) for k, v in request.query_params.items()}
    values = {**await _defaults(case), **given} if not given.get("search") else given
    return await render_schedule(request, case, values)


@post("/cases/{reference:str}/mediation/sessions", name="mediation_book", opt={"action": "schedule"})
async def book_or_offer(request: Request, reference: FromPath[str]) -> Template | Redirect:
    case = await visible_case(request, reference)
    user = user_of(request)
    _guard(user, case)
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
            raise MediationError(
                {"slots": "Select one time to book, or choose Offer these times to the family"}
            )
        plan.starts_at, plan.ends_at = slot
        session_id = await book(case, plan, actor=user)
    except ServiceError as exc:
        found, status = page_errors(exc)
        fresh = await visible_case(request, reference)
        errors = {("slots" if k in {"slot", "state", "event"} else k): v for k, v in found.items()}
        return await render_schedule(request, fresh, values, errors=errors, status=status)
    confirm(request, "Mediation meeting booked")
    return Redirect(f"/cases/{reference}/mediation/sessions/{session_id}", status_code=303)


async def _session(request: Request, reference: str, session_id: int) -> tuple[Disagreement, dict[str, Any]]:
    case = await visible_case(request, reference)
    session = await load_session(session_id)
    if session is None or session["disagreement"] != case.id:
        raise NotFoundException("Session not found")
    return case, session


async def render_session(
    request: Request,
    case: Disagreement,
    session: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    from mediation.attendees.service import GUEST_ROLES, ROLE_WORDS

    attendees = await SessionAttendee.select().where(SessionAttendee.session == session["id"])
    user = user_of(request)
    booked = session["status"] == "booked"
    times = await start_times(await plan_of(case, session)) if booked else []
    return Template(
        "mediation/session.html",
        context={
            "title": f"Mediation meeting, case {case.reference}",
            "case": case,
            "session": session,
            "when": when(session["starts_at"], session["ends_at"]),
            "place": place_of(session),
            "attendees": attendees,
            "role_labels": ROLE_LABELS,
            "times": times,
            "may_change": access.may(user, "schedule", case) and booked,
            # Officers attending without an account: named by the body arranging mediation.
            # Their email addresses are for staff: the family sees their names under "Who attends".
            "guests": [a for a in attendees if is_guest(a)] if user.is_staff else [],
            "guest_roles": {r: ROLE_WORDS[r] for r in GUEST_ROLES if r != "icb_officer" or case.icb_id},
            "may_name": booked and access.may(user, "attendee_named", case),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@get(
    "/cases/{reference:str}/mediation/sessions/{session_id:int}",
    name="mediation_session",
    opt={"action": "view_case"},
)
async def session_page(request: Request, reference: FromPath[str], session_id: FromPath[int]) -> Template:
    case, session = await _session(request, reference, session_id)
    return await render_session(request, case, session)


@post(
    "/cases/{reference:str}/mediation/sessions/{session_id:int}/{change:str}",
    name="mediation_session_change",
    opt={"action": "schedule"},
)
async def session_change(
    request: Request, reference: FromPath[str], session_id: FromPath[int], change: FromPath[str]
) -> Template | Redirect:
    case, session = await _session(request, reference, session_id)
    user = user_of(request)
    if change not in {"reschedule", "cancel"}:
        raise NotFoundException("No such change")
    _guard(user, case)
    values = await form_values(request)
    errors: dict[str, str] = {}
    try:
        if change == "cancel":
            await cancel(case, session_id, values.get("cancel_reason", ""), actor=user)
        else:
            day = date_of(values, "new", "The new date", errors)
            at = values.get("time", "")
            if at not in await start_times(await plan_of(case, session)):
                errors["time"] = "Select the new start time"
            starts_at = (
                dt.datetime.combine(day, dt.time.fromisoformat(at), tzinfo=LONDON)
                if day and not errors
                else None
            )
            try:
                await reschedule(
                    case,
                    session_id,
                    starts_at,
                    values.get("reason", ""),
                    consent=values.get("consent") == "yes",
                    actor=user,
                )
            except ServiceError as exc:
                exc.errors = {**exc.errors, **errors}
                raise
    except ServiceError as exc:
        found, status = page_errors(exc)
        fresh, session = await _session(request, reference, session_id)
        errors = {("new-day" if k in {"slot", "event"} else k): v for k, v in found.items()}
        return await render_session(
            request, fresh, session, errors=errors, values={**values, "_form": change}, status=status
        )
    confirm(request, "Mediation meeting cancelled" if change == "cancel" else "Mediation meeting moved")
    return Redirect(f"/cases/{reference}/mediation/sessions/{session_id}", status_code=303)


@get(
    "/cases/{reference:str}/mediation/sessions/{session_id:int}/invite.ics",
    name="mediation_invite",
    opt={"action": "view_case"},
)
async def invite(request: Request, reference: FromPath[str], session_id: FromPath[int]) -> Response[bytes]:
    case, session = await _session(request, reference, session_id)
    user = user_of(request)
    body = build_ics(
        session,
        case.reference,
        cancelled=session["status"] == "cancelled",
        attendee=(user.full_name, user.email),
    )
    return Response(
        body,
        media_type="text/calendar",  # Litestar adds "; charset=utf-8"
        headers={"Content-Disposition": f'attachment; filename="mediation-{case.reference}.ics"'},
    )


ROUTES = [schedule_page, book_or_offer, session_page, session_change, invite]
