"""The tribunal side of a case in the JSON API: the same access rule, role checks and services as pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from mediation.cases.model import Disagreement
from mediation.errors import BadParameter
from mediation.identity import CurrentUser
from mediation.tribunal.decisions import record_outcomes
from mediation.tribunal.duties import record_recommendation
from mediation.tribunal.pages import case_for, user_of
from mediation.tribunal.schemas import (
    ComplianceView,
    OutcomesInput,
    RecommendationInput,
    TimetableInput,
    TribunalView,
)
from mediation.tribunal.service import compliance, tribunal_view
from mediation.tribunal.timetable import save_timetable

BASE = "/api/v1/cases/{reference:str}/tribunal"
OPTS: dict[str, Any] = {"tags": ["tribunal"]}
WRITE: dict[str, Any] = {**OPTS, "status_code": 200}


async def _run(
    request: Request,
    reference: str,
    action: str,
    change: Callable[[CurrentUser, Disagreement], Awaitable[Disagreement]],
) -> TribunalView:
    """Access check, the change (the app's one handler maps its refusals), then the tracker as it now
    stands."""
    user, case = await case_for(request, reference, action)
    case = await change(user, case)
    return await tribunal_view(case, user)


@get(
    BASE,
    name="api_tribunal",
    summary="The appeal on a case: timetable, outcomes, duties and tracker",
    **OPTS,
    opt={"action": "view_tribunal"},
)
async def api_tribunal(request: Request, reference: FromPath[str]) -> TribunalView:
    user, case = await case_for(request, reference, "view_tribunal")
    return await tribunal_view(case, user)


@post(
    BASE + "/timetable",
    name="api_tribunal_timetable",
    summary="Replace the tribunal timetable",
    **WRITE,
    opt={"action": "timetable_updated"},
)
async def api_tribunal_timetable(
    request: Request, reference: FromPath[str], data: JSONBody[TimetableInput]
) -> TribunalView:
    return await _run(request, reference, "timetable_updated", lambda u, c: save_timetable(c, data, actor=u))


@post(
    BASE + "/outcomes",
    name="api_tribunal_outcomes",
    summary="Record the outcome on each matter",
    **WRITE,
    opt={"action": "decision_recorded"},
)
async def api_tribunal_outcomes(
    request: Request, reference: FromPath[str], data: JSONBody[OutcomesInput]
) -> TribunalView:
    return await _run(request, reference, "decision_recorded", lambda u, c: record_outcomes(c, data, actor=u))


@post(
    BASE + "/recommendations",
    name="api_tribunal_recommendation",
    summary="Record a recommendation",
    **WRITE,
    opt={"action": "recommendation_made"},
)
async def api_tribunal_recommendation(
    request: Request, reference: FromPath[str], data: JSONBody[RecommendationInput]
) -> TribunalView:
    return await _run(
        request, reference, "recommendation_made", lambda u, c: record_recommendation(c, data, actor=u)
    )


@get(
    "/api/v1/tribunal/compliance",
    name="api_tribunal_compliance",
    tags=["tribunal"],
    summary="Open and breached duties you owe; administrators: counts per local authority",
    opt={"action": "view_compliance"},
)
async def api_tribunal_compliance(request: Request, show: FromQuery[str | None] = None) -> ComplianceView:
    if show not in (None, "breached"):
        raise BadParameter("show must be 'breached' or left out")
    return await compliance(user_of(request), breached_only=show == "breached")


ROUTES = [
    api_tribunal,
    api_tribunal_timetable,
    api_tribunal_outcomes,
    api_tribunal_recommendation,
    api_tribunal_compliance,
]
