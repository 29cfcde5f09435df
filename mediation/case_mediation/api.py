"""Mediation in the JSON API: the same access rule, permissions and services as the pages.

A refused change answers 400 with the reasons; a time someone else has just taken answers 409.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody

from mediation import access
from mediation.case_mediation.schemas import (
    BookingResponse,
    CancelRequest,
    MediationView,
    RescheduleRequest,
    Slot,
    SlotsResponse,
)
from mediation.case_mediation.service import mediation_view
from mediation.cases.model import Disagreement
from mediation.cases.repository import find_case
from mediation.errors import BadParameter, NotFound, Refused
from mediation.identity import CurrentUser
from mediation.scheduling.service import SessionPlan, search
from mediation.sessions.service import book, cancel, reschedule
from mediation.web.auth import current_user

TAGS = ["mediation"]


T = TypeVar("T")


async def _case(
    request: Request, reference: str, action: str | None = None
) -> tuple[CurrentUser, Disagreement]:
    user = current_user(request)
    assert user is not None
    case = await find_case(user, reference)
    if case is None:
        raise NotFound("Case not found")
    if action is not None and not access.may(user, action, case):
        raise Refused(access.refusal(action))
    return user, case


async def _view(request: Request, reference: str) -> MediationView:
    user, case = await _case(request, reference)
    return await mediation_view(user, case)


async def _attempt(
    request: Request,
    reference: str,
    change: Callable[[CurrentUser, Disagreement], Awaitable[T]],
) -> tuple[T, MediationView]:
    """Every write the same way: the case through the access rule, then the change (the service checks
    the permission, 403, and the lifecycle, 409; bad fields are 422; the app's one handler maps them),
    then the case as it now stands."""
    user, case = await _case(request, reference)
    result = await change(user, case)
    return result, await _view(request, reference)


@get(
    "/api/v1/cases/{reference:str}/mediation",
    name="api_mediation",
    tags=TAGS,
    summary="A case's mediation: record, sessions, certificates, outcome, clocks and your actions",
    opt={"action": "view_case"},
)
async def api_mediation(request: Request, reference: FromPath[str]) -> MediationView:
    return await _view(request, reference)


@post(
    "/api/v1/cases/{reference:str}/mediation/slots",
    name="api_mediation_slots",
    tags=TAGS,
    status_code=200,
    summary="Times that satisfy every rule at once, or why none do",
    opt={"action": "schedule"},
)
async def api_slots(request: Request, reference: FromPath[str], data: JSONBody[SessionPlan]) -> SlotsResponse:
    _, case = await _case(request, reference, "schedule")
    found = await search(case, data)
    if found.errors:
        raise BadParameter("; ".join(found.errors.values()))
    return SlotsResponse(
        slots=[Slot(s, e) for s, e in found.slots],
        reasons=found.reasons,
        consequence=found.consequence,
        window_end=found.window_end,
    )


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions",
    name="api_mediation_book",
    tags=TAGS,
    status_code=201,
    summary="Book a session (409 if someone has just taken the time)",
    opt={"action": "session_booked"},
)
async def api_book(
    request: Request, reference: FromPath[str], data: JSONBody[SessionPlan]
) -> BookingResponse:
    session_id, view = await _attempt(request, reference, lambda user, case: book(case, data, actor=user))
    return BookingResponse(session_id=session_id, mediation=view)


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/reschedule",
    name="api_mediation_reschedule",
    tags=TAGS,
    status_code=200,
    summary="Move a session, with a reason; every rule is checked again",
    opt={"action": "session_moved"},
)
async def api_reschedule(
    request: Request, reference: FromPath[str], session_id: FromPath[int], data: JSONBody[RescheduleRequest]
) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        lambda user, case: reschedule(
            case, session_id, data.starts_at, data.reason, consent=data.shorter_notice_consent, actor=user
        ),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/cancel",
    name="api_mediation_cancel",
    tags=TAGS,
    status_code=200,
    summary="Cancel a session, with a reason",
    opt={"action": "session_cancelled"},
)
async def api_cancel(
    request: Request, reference: FromPath[str], session_id: FromPath[int], data: JSONBody[CancelRequest]
) -> MediationView:
    _, view = await _attempt(
        request, reference, lambda user, case: cancel(case, session_id, data.reason, actor=user)
    )
    return view


ROUTES = [
    api_mediation,
    api_slots,
    api_book,
    api_reschedule,
    api_cancel,
]
