"""Cases in the JSON API, through the same access rule as the pages."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mediation.cases.commands import RerouteError, reroute_case
from mediation.cases.pages import REROUTERS
from mediation.cases.service import RISK_LABELS, CaseDetail, CaseSummary, find_case, get_case, list_cases
from mediation.rules.lifecycle import STATES
from mediation.web.auth import current_user, requires_sign_in
from mediation.web.forms import client_of


@get(
    "/api/v1/cases", name="api_cases", guards=[requires_sign_in], tags=["cases"], summary="Cases you may see"
)
async def api_cases(
    request: Request,
    case_state: Annotated[str | None, QueryParameter(name="state")] = None,  # "state" is reserved by Litestar
    case_scope: Annotated[str | None, QueryParameter(name="scope")] = None,  # so is "scope"
    risk: FromQuery[str | None] = None,
    limit: FromQuery[int] = 50,
    offset: FromQuery[int] = 0,
) -> list[CaseSummary]:
    """Nearest statutory deadline first; filter by state, scope (education, health, social_care) and risk."""
    user = current_user(request)
    assert user is not None
    if risk is not None and risk not in RISK_LABELS:
        raise ValidationException(f"risk must be one of {', '.join(RISK_LABELS)}")
    if case_scope is not None and case_scope not in {"education", "health", "social_care"}:
        raise ValidationException("scope must be one of education, health, social_care")
    if case_state is not None and case_state not in STATES:
        raise ValidationException(f"unknown state {case_state!r}")
    return await list_cases(
        user,
        state=case_state,
        scope=case_scope,
        risk=risk,
        limit=max(1, min(limit, 200)),
        offset=max(0, offset),
    )


@get(
    "/api/v1/cases/{reference:str}",
    name="api_case",
    guards=[requires_sign_in],
    tags=["cases"],
    summary="One case",
)
async def api_case(request: Request, reference: FromPath[str]) -> CaseDetail:
    user = current_user(request)
    assert user is not None
    case = await get_case(user, reference, client=client_of(request))
    if case is None:
        raise NotFoundException("Case not found")
    return case


class RerouteRequest(msgspec.Struct, forbid_unknown_fields=True):
    sections: list[str]
    reason: str


@post(
    "/api/v1/cases/{reference:str}/reroute",
    name="api_case_reroute",
    guards=[requires_sign_in],
    tags=["cases"],
    summary="Change the disputed sections, with a reason; routing and clocks follow",
    status_code=200,
)
async def api_case_reroute(
    request: Request, reference: FromPath[str], data: JSONBody[RerouteRequest]
) -> CaseDetail:
    user = current_user(request)
    assert user is not None
    case = await find_case(user, reference)
    if case is None:
        raise NotFoundException("Case not found")
    if user.role not in REROUTERS:
        raise PermissionDeniedException(
            "Only the local authority or the health commissioner can re-route a case"
        )
    try:
        await reroute_case(case, data.sections, data.reason, actor=user)
    except RerouteError as exc:
        raise ValidationException("; ".join(exc.errors.values())) from exc
    detail = await get_case(user, reference, client=client_of(request))
    assert detail is not None
    return detail


ROUTES = [api_cases, api_case, api_case_reroute]
