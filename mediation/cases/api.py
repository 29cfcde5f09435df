"""Cases through the JSON API (api-contract.md "Cases through the API"): lodge a disagreement, read a
case with its clocks and the events it can take, and record an event. The same use cases as the pages."""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from mediation.cases import event_handlers
from mediation.cases.api_lodging import lodge_from_api
from mediation.cases.commands import reroute_case
from mediation.cases.repository import find_case
from mediation.cases.schemas import EventRequest, LodgeRequest
from mediation.cases.service import RISK_LABELS, CaseDetail, CaseSummary, case_detail, list_cases
from mediation.identity import CurrentUser
from mediation.rules.lifecycle import STATES
from mediation.web.auth import current_user
from mediation.web.errors import unprocessable
from mediation.web.forms import client_of


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


@get(
    "/api/v1/cases",
    name="api_cases",
    tags=["cases"],
    summary="Cases you may see",
    opt={"action": "list_cases"},
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
    if risk is not None and risk not in RISK_LABELS:
        raise ValidationException(f"risk must be one of {', '.join(RISK_LABELS)}")
    if case_scope is not None and case_scope not in {"education", "health", "social_care"}:
        raise ValidationException("scope must be one of education, health, social_care")
    if case_state is not None and case_state not in STATES:
        raise ValidationException(f"unknown state {case_state!r}")
    return await list_cases(
        _user(request),
        state=case_state,
        scope=case_scope,
        risk=risk,
        limit=max(1, min(limit, 200)),
        offset=max(0, offset),
    )


@post(
    "/api/v1/cases",
    name="api_lodge",
    tags=["cases"],
    status_code=201,
    summary="Lodge a disagreement (a family for itself, or LA staff for a family)",
    description="Send the same request again with the same `Idempotency-Key` header and the first case is "
    "returned: one case, however many times it is sent. `wants_mediation: true` records that the family "
    "told the arranging body it wants mediation on `received_on`.",
    opt={"action": "lodge_by_api"},
    exception_handlers={ValidationException: unprocessable},
)
async def api_lodge(
    request: Request,
    data: JSONBody[LodgeRequest],
    idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=200)] = None,
) -> Response[CaseDetail]:
    user = _user(request)
    body_hash = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    case, replayed = await lodge_from_api(user, data, idempotency_key=idempotency_key, body_hash=body_hash)
    detail = await case_detail(user, case, client=client_of(request))
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(detail, status_code=201, headers=headers)


@get(
    "/api/v1/cases/{reference:str}",
    name="api_case",
    tags=["cases"],
    summary="One case: its state, clocks, next due date and the events it can take now",
    opt={"action": "view_case"},
)
async def api_case(request: Request, reference: FromPath[str]) -> CaseDetail:
    user = _user(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFoundException("Case not found")
    return await case_detail(user, case, client=client_of(request))


@post(
    "/api/v1/cases/{reference:str}/events",
    name="api_case_event",
    tags=["cases"],
    status_code=200,
    summary="Record an event on a case",
    description="An event that cannot happen now gets 409 with the lifecycle's reason; a bad field 422; a "
    "case you may not see 404; an event your role may not record 403.",
    opt={"action": "record_event"},
    exception_handlers={ValidationException: unprocessable},
)
async def api_case_event(
    request: Request, reference: FromPath[str], data: JSONBody[EventRequest]
) -> CaseDetail:
    user = _user(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFoundException("Case not found")
    case = await event_handlers.apply(case, data, actor=user)
    return await case_detail(user, case, client=client_of(request))


class RerouteRequest(msgspec.Struct, forbid_unknown_fields=True):
    sections: list[str]
    reason: str


@post(
    "/api/v1/cases/{reference:str}/reroute",
    name="api_case_reroute",
    tags=["cases"],
    summary="Change the disputed sections, with a reason; routing and clocks follow (event `rerouted`)",
    status_code=200,
    opt={"action": "rerouted"},
)
async def api_case_reroute(
    request: Request, reference: FromPath[str], data: JSONBody[RerouteRequest]
) -> CaseDetail:
    user = _user(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFoundException("Case not found")
    case = await reroute_case(case, data.sections, data.reason, actor=user)
    return await case_detail(user, case, client=client_of(request))


ROUTES = [api_cases, api_lodge, api_case, api_case_event, api_case_reroute]
