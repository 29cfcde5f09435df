"""POST /api/v1/deadlines and POST /api/v1/routing (api-contract.md), and the rule catalogue. No login."""

from __future__ import annotations

from litestar import get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from mediation.errors import Invalid
from mediation.public import service
from mediation.public.schemas import (
    DeadlineRequest,
    DeadlineResponse,
    RoutingRequest,
    RoutingResponse,
    RuleEntry,
)
from mediation.rules.errors import RulesError


@post(
    "/api/v1/deadlines",
    name="api_deadlines",
    status_code=HTTP_200_OK,
    tags=["public"],
    summary="When is a statutory deadline?",
    opt={"action": "public"},
)
async def api_deadlines(data: JSONBody[DeadlineRequest]) -> DeadlineResponse:
    try:
        return service.deadline(data.rule, data.inputs)
    except RulesError as exc:
        raise Invalid(exc.detail) from exc


@post(
    "/api/v1/routing",
    name="api_routing",
    status_code=HTTP_200_OK,
    tags=["public"],
    summary="Who handles a disagreement?",
    opt={"action": "public"},
)
async def api_routing(data: JSONBody[RoutingRequest]) -> RoutingResponse:
    try:
        return service.routing(data.decision, data.sections)
    except RulesError as exc:
        raise Invalid(exc.detail) from exc


@get(
    "/api/v1/rules",
    name="api_rules",
    tags=["public"],
    summary="The statutory rule catalogue in force today",
    opt={"action": "public"},
)
async def api_rules() -> list[RuleEntry]:
    return service.catalogue()


ROUTES = [api_deadlines, api_routing, api_rules]
