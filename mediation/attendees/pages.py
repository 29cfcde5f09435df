"""The meeting page's forms for officers attending without an account: name one, change one, remove one.
Each is a case event (`mediation.guests`); a refused form redraws the meeting page with the error
summary, a refusal by the case's relation is the 403 page."""

from __future__ import annotations

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.attendees import service as guests
from mediation.cases.lookup import user_of
from mediation.errors import ServiceError
from mediation.sessions.pages import _session, render_session
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, page_errors

FIELDS = ("role", "name", "email")
BASE = "/cases/{reference:str}/mediation/sessions/{session_id:int}/attendees"


async def _redraw(
    request: Request, reference: str, session_id: int, exc: ServiceError, values: dict[str, str], form: str
) -> Template:
    errors, status = page_errors(exc)
    if form != "guest-add":  # each officer's own form has its own field ids
        errors = {(f"{form}-{k}" if k in FIELDS else k): v for k, v in errors.items()}
    case, session = await _session(request, reference, session_id)
    return await render_session(
        request, case, session, errors=errors, values={**values, "_form": form}, status=status
    )


def _back(request: Request, reference: str, session_id: int, saved: str) -> Redirect:
    confirm(request, saved)
    return Redirect(f"/cases/{reference}/mediation/sessions/{session_id}", status_code=303)


@post(f"{BASE}/add", name="mediation_guest_add", opt={"action": "attendee_named"})
async def add_guest(
    request: Request, reference: FromPath[str], session_id: FromPath[int]
) -> Template | Redirect:
    case, _ = await _session(request, reference, session_id)
    values = await form_values(request)
    try:
        await guests.name_guest(case, session_id, values, actor=user_of(request))
    except ServiceError as exc:
        return await _redraw(request, reference, session_id, exc, values, "guest-add")
    return _back(request, reference, session_id, "Officer attending added to the meeting")


@post(f"{BASE}/{{attendee_id:int}}", name="mediation_guest_change", opt={"action": "attendee_changed"})
async def change_guest(
    request: Request, reference: FromPath[str], session_id: FromPath[int], attendee_id: FromPath[int]
) -> Template | Redirect:
    case, _ = await _session(request, reference, session_id)
    values = await form_values(request)
    try:
        await guests.change_guest(case, session_id, attendee_id, values, actor=user_of(request))
    except ServiceError as exc:
        return await _redraw(request, reference, session_id, exc, values, f"guest-{attendee_id}")
    return _back(request, reference, session_id, "Officer attending the meeting changed")


@post(f"{BASE}/{{attendee_id:int}}/remove", name="mediation_guest_remove", opt={"action": "attendee_removed"})
async def remove_guest(
    request: Request, reference: FromPath[str], session_id: FromPath[int], attendee_id: FromPath[int]
) -> Template | Redirect:
    case, _ = await _session(request, reference, session_id)
    values = await form_values(request)
    try:
        await guests.remove_guest(case, session_id, attendee_id, actor=user_of(request))
    except ServiceError as exc:
        return await _redraw(request, reference, session_id, exc, values, f"guest-{attendee_id}")
    return _back(request, reference, session_id, "Officer removed from the meeting")


ROUTES = [add_guest, change_guest, remove_guest]
