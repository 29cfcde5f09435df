"""Finding a time, booking it or offering several to the family, and moving or cancelling a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.cases.lookup import date_of, require, user_of, visible_case
from mediation.cases.model import Disagreement
from mediation.errors import NotFound, ServiceError
from mediation.scheduling.service import start_times
from mediation.scheduling.slots import LONDON
from mediation.sessions.invites import (
    GUEST_ROLES,
    ROLE_LABELS,
    ROLE_WORDS,
    build_ics,
    is_guest,
    load_session,
    place_of,
    when,
)
from mediation.sessions.service import attendees_of, cancel, plan_of, reschedule
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors, whole_number

_int = whole_number


async def _session(request: Request, reference: str, session_id: int) -> tuple[Disagreement, dict[str, Any]]:
    case = await visible_case(request, reference)
    session = await load_session(session_id)
    if session is None or session["disagreement"] != case.id:
        raise NotFound("Session not found")
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
    attendees = await attendees_of(session["id"])
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
        raise NotFound("No such change")
    require(user, "schedule", case)
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


ROUTES = [session_page, session_change, invite]
