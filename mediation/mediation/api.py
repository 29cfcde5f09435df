"""Mediation in the JSON API: the same access rule, permissions and services as the pages.

A refused change answers 400 with the reasons; a time someone else has just taken answers 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Request, get, post
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import FromPath, JSONBody

from mediation.cases.service import find_case
from mediation.identity import CurrentUser
from mediation.mediation import advice
from mediation.mediation.booking import book, cancel, reschedule
from mediation.mediation.certificates import issue_certificate
from mediation.mediation.common import MediationError, may
from mediation.mediation.outcome import IssueResult, OutcomeForm, record_outcome
from mediation.mediation.scheduling import AwareDatetime, SessionPlan, search
from mediation.mediation.views import MediationView, mediation_view
from mediation.web.auth import current_user, requires_sign_in

TAGS = ["mediation"]


class AdviceRequest(msgspec.Struct, forbid_unknown_fields=True):
    contacted_on: dt.date
    choice: str  # mediate / decline / undecided


class DateRequest(msgspec.Struct, forbid_unknown_fields=True):
    on: dt.date


class UnableRequest(msgspec.Struct, forbid_unknown_fields=True):
    told_on: dt.date
    reason: str


class CertificateRequest(msgspec.Struct, forbid_unknown_fields=True):
    kind: str  # after_decline / unable_to_arrange / after_mediation
    issued_on: dt.date


class Slot(msgspec.Struct):
    starts_at: dt.datetime
    ends_at: dt.datetime


class SlotsResponse(msgspec.Struct):
    slots: list[Slot]
    reasons: list[str]
    consequence: str
    window_end: dt.date | None


class BookingResponse(msgspec.Struct):
    session_id: int
    mediation: MediationView


class RescheduleRequest(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: AwareDatetime
    reason: str
    shorter_notice_consent: bool = False


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class OutcomeRequest(msgspec.Struct, forbid_unknown_fields=True):
    held_on: dt.date
    results: list[IssueResult]
    agreement_text: str = ""
    agreement_date: dt.date | None = None
    order: str = ""
    agreed_due: dt.date | None = None


T = TypeVar("T")


async def _case(
    request: Request, reference: str, action: str | None = None
) -> tuple[CurrentUser, dict[str, Any]]:
    user = current_user(request)
    assert user is not None
    case = await find_case(user, reference)
    if case is None:
        raise NotFoundException("Case not found")
    if action is not None and not may(user, action, case):
        raise PermissionDeniedException("You do not have permission to do this")
    return user, case


def _refused(exc: MediationError) -> HTTPException:
    detail = "; ".join(exc.errors.values())
    if exc.conflict:
        return HTTPException(status_code=409, detail=detail)
    return ValidationException(detail)


async def _view(request: Request, reference: str) -> MediationView:
    user, case = await _case(request, reference)
    return await mediation_view(user, case)


async def _attempt(
    request: Request,
    reference: str,
    action: str,
    change: Callable[[CurrentUser, dict[str, Any]], Awaitable[T]],
) -> tuple[T, MediationView]:
    """Every write the same way: the case through the access rule, the permission for `action`, the
    change (refusals as 400, a time just taken as 409), then the case as it now stands."""
    user, case = await _case(request, reference, action)
    try:
        result = await change(user, case)
    except MediationError as exc:
        raise _refused(exc) from exc
    return result, await _view(request, reference)


@get(
    "/api/v1/cases/{reference:str}/mediation",
    name="api_mediation",
    guards=[requires_sign_in],
    tags=TAGS,
    summary="A case's mediation: record, sessions, certificates, outcome, clocks and your actions",
)
async def api_mediation(request: Request, reference: FromPath[str]) -> MediationView:
    return await _view(request, reference)


@post(
    "/api/v1/cases/{reference:str}/mediation/advice",
    name="api_mediation_advice",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Record the family's contact with the mediation adviser and its choice",
)
async def api_advice(
    request: Request, reference: FromPath[str], data: JSONBody[AdviceRequest]
) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        "record_advice",
        lambda user, case: advice.record_advice(
            case, contacted_on=data.contacted_on, choice=data.choice, actor=user
        ),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/icb-notified",
    name="api_mediation_icb",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="The LA told the ICB the health-only mediation issues",
)
async def api_icb(request: Request, reference: FromPath[str], data: JSONBody[DateRequest]) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        "notify_icb",
        lambda user, case: advice.notify_icb(case, notified_on=data.on, actor=user),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/unable-to-arrange",
    name="api_mediation_unable",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Mediation cannot be held within 30 days (starts the certificate clock)",
)
async def api_unable(
    request: Request, reference: FromPath[str], data: JSONBody[UnableRequest]
) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        "unable_to_arrange",
        lambda user, case: advice.unable_to_arrange(
            case, told_on=data.told_on, reason=data.reason, actor=user
        ),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/certificates",
    name="api_mediation_certificate",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=201,
    summary="Issue a mediation certificate",
)
async def api_certificate(
    request: Request, reference: FromPath[str], data: JSONBody[CertificateRequest]
) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        "issue_certificate",
        lambda user, case: issue_certificate(case, data.kind, data.issued_on, actor=user),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/slots",
    name="api_mediation_slots",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Times that satisfy every rule at once, or why none do",
)
async def api_slots(request: Request, reference: FromPath[str], data: JSONBody[SessionPlan]) -> SlotsResponse:
    _, case = await _case(request, reference, "schedule")
    found = await search(case, data)
    if found.errors:
        raise ValidationException("; ".join(found.errors.values()))
    return SlotsResponse(
        slots=[Slot(s, e) for s, e in found.slots],
        reasons=found.reasons,
        consequence=found.consequence,
        window_end=found.window_end,
    )


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions",
    name="api_mediation_book",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=201,
    summary="Book a session (409 if someone has just taken the time)",
)
async def api_book(
    request: Request, reference: FromPath[str], data: JSONBody[SessionPlan]
) -> BookingResponse:
    session_id, view = await _attempt(
        request, reference, "schedule", lambda user, case: book(case, data, actor=user)
    )
    return BookingResponse(session_id=session_id, mediation=view)


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/reschedule",
    name="api_mediation_reschedule",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Move a session, with a reason; every rule is checked again",
)
async def api_reschedule(
    request: Request, reference: FromPath[str], session_id: FromPath[int], data: JSONBody[RescheduleRequest]
) -> MediationView:
    _, view = await _attempt(
        request,
        reference,
        "schedule",
        lambda user, case: reschedule(
            case, session_id, data.starts_at, data.reason, consent=data.shorter_notice_consent, actor=user
        ),
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/sessions/{session_id:int}/cancel",
    name="api_mediation_cancel",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Cancel a session, with a reason",
)
async def api_cancel(
    request: Request, reference: FromPath[str], session_id: FromPath[int], data: JSONBody[CancelRequest]
) -> MediationView:
    _, view = await _attempt(
        request, reference, "schedule", lambda user, case: cancel(case, session_id, data.reason, actor=user)
    )
    return view


@post(
    "/api/v1/cases/{reference:str}/mediation/outcome",
    name="api_mediation_outcome",
    guards=[requires_sign_in],
    tags=TAGS,
    status_code=200,
    summary="Record the outcome issue by issue and any written agreement",
)
async def api_outcome(
    request: Request, reference: FromPath[str], data: JSONBody[OutcomeRequest]
) -> MediationView:
    form = OutcomeForm(
        held_on=data.held_on,
        results=data.results,
        agreement_text=data.agreement_text,
        agreement_date=data.agreement_date,
        order=data.order,
        agreed_due=data.agreed_due,
    )
    _, view = await _attempt(
        request, reference, "record_outcome", lambda user, case: record_outcome(case, form, actor=user)
    )
    return view


ROUTES = [
    api_mediation,
    api_advice,
    api_icb,
    api_unable,
    api_certificate,
    api_slots,
    api_book,
    api_reschedule,
    api_cancel,
    api_outcome,
]
