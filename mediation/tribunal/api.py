"""The tribunal side of a case in the JSON API: the same access rule, role checks and services as pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody

from mediation.identity import CurrentUser
from mediation.tribunal.checks import NoAppeal, TribunalInputError
from mediation.tribunal.commands import record_appeal
from mediation.tribunal.decisions import record_outcomes, record_unopposed
from mediation.tribunal.duties import duty_for, record_action, record_order, record_recommendation
from mediation.tribunal.pages import (
    COMPLIANCE_ROLES,
    DUTY_HOLDERS,
    LA_ONLY,
    RECORDERS,
    VIEWERS,
    case_for,
    user_of,
)
from mediation.tribunal.schemas import (
    ActionInput,
    AppealInput,
    ComplianceView,
    OrderInput,
    OutcomesInput,
    RecommendationInput,
    TimetableInput,
    TribunalView,
    UnopposedInput,
)
from mediation.tribunal.service import compliance, tribunal_view
from mediation.tribunal.timetable import save_timetable
from mediation.web.auth import requires_role, requires_sign_in

BASE = "/api/v1/cases/{reference:str}/tribunal"
OPTS: dict[str, Any] = {"guards": [requires_sign_in], "tags": ["tribunal"]}
WRITE: dict[str, Any] = {**OPTS, "status_code": 200}


async def _run(
    request: Request,
    reference: str,
    roles: set[str],
    change: Callable[[CurrentUser, dict], Awaitable[object]],
) -> TribunalView:
    """Access check, the change, then the tracker as it now stands; input problems are 400s."""
    user, case = await case_for(request, reference, roles)
    try:
        await change(user, case)
    except TribunalInputError as exc:
        raise ValidationException("; ".join(exc.errors.values())) from exc
    except NoAppeal as exc:
        raise NotFoundException(str(exc)) from exc
    return await tribunal_view(case, user)


@get(
    BASE, name="api_tribunal", summary="The appeal on a case: timetable, outcomes, duties and tracker", **OPTS
)
async def api_tribunal(request: Request, reference: FromPath[str]) -> TribunalView:
    user, case = await case_for(request, reference, VIEWERS)
    return await tribunal_view(case, user)


@post(
    BASE + "/appeal",
    name="api_tribunal_appeal",
    summary="Record the appeal (flagged, never refused)",
    **WRITE,
)
async def api_tribunal_appeal(
    request: Request, reference: FromPath[str], data: JSONBody[AppealInput]
) -> TribunalView:
    return await _run(request, reference, RECORDERS, lambda u, c: record_appeal(c, data, actor=u))


@post(BASE + "/timetable", name="api_tribunal_timetable", summary="Replace the tribunal timetable", **WRITE)
async def api_tribunal_timetable(
    request: Request, reference: FromPath[str], data: JSONBody[TimetableInput]
) -> TribunalView:
    return await _run(request, reference, RECORDERS, lambda u, c: save_timetable(c, data, actor=u))


@post(BASE + "/outcomes", name="api_tribunal_outcomes", summary="Record the outcome on each matter", **WRITE)
async def api_tribunal_outcomes(
    request: Request, reference: FromPath[str], data: JSONBody[OutcomesInput]
) -> TribunalView:
    return await _run(request, reference, RECORDERS, lambda u, c: record_outcomes(c, data, actor=u))


@post(BASE + "/unopposed", name="api_tribunal_unopposed", summary="The LA will not oppose (reg 45)", **WRITE)
async def api_tribunal_unopposed(
    request: Request, reference: FromPath[str], data: JSONBody[UnopposedInput]
) -> TribunalView:
    return await _run(request, reference, LA_ONLY, lambda u, c: record_unopposed(c, data, actor=u))


@post(
    BASE + "/orders",
    name="api_tribunal_order",
    summary="Record an order; its compliance clocks start",
    **WRITE,
)
async def api_tribunal_order(
    request: Request, reference: FromPath[str], data: JSONBody[OrderInput]
) -> TribunalView:
    return await _run(request, reference, RECORDERS, lambda u, c: record_order(c, data, actor=u))


@post(
    BASE + "/recommendations", name="api_tribunal_recommendation", summary="Record a recommendation", **WRITE
)
async def api_tribunal_recommendation(
    request: Request, reference: FromPath[str], data: JSONBody[RecommendationInput]
) -> TribunalView:
    return await _run(request, reference, RECORDERS, lambda u, c: record_recommendation(c, data, actor=u))


@post(
    BASE + "/duties/{duty_id:int}/action",
    name="api_tribunal_action",
    summary="Record what was done on a duty your organisation owes",
    **WRITE,
)
async def api_tribunal_action(
    request: Request, reference: FromPath[str], duty_id: FromPath[int], data: JSONBody[ActionInput]
) -> TribunalView:
    async def change(user: CurrentUser, case: dict) -> None:
        duty = await duty_for(case, duty_id, user)
        if duty is None:
            raise NotFoundException("There is no such duty for your organisation on this case")
        await record_action(case, duty, data, actor=user)

    return await _run(request, reference, DUTY_HOLDERS, change)


@get(
    "/api/v1/tribunal/compliance",
    name="api_tribunal_compliance",
    guards=[requires_role(*COMPLIANCE_ROLES)],
    tags=["tribunal"],
    summary="Open and breached duties you owe; administrators: counts per local authority",
)
async def api_tribunal_compliance(request: Request, show: FromQuery[str | None] = None) -> ComplianceView:
    if show not in (None, "breached"):
        raise ValidationException("show must be 'breached' or left out")
    return await compliance(user_of(request), breached_only=show == "breached")


ROUTES = [
    api_tribunal,
    api_tribunal_appeal,
    api_tribunal_timetable,
    api_tribunal_outcomes,
    api_tribunal_unopposed,
    api_tribunal_order,
    api_tribunal_recommendation,
    api_tribunal_action,
    api_tribunal_compliance,
]
