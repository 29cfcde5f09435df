"""`POST /api/v1/cases/{reference}/events` (api-contract.md "Cases through the API"): record an event on a
case through the use case the pages call (`handlers.apply`). Above every capability whose events it takes,
so the case capability below never imports them."""

from __future__ import annotations

from litestar import Request, post
from litestar.params import FromPath, JSONBody

from mediation.case_events import handlers
from mediation.cases.lookup import user_of, visible_case
from mediation.cases.schemas import EventRequest
from mediation.cases.service import CaseDetail, case_detail
from mediation.web.errors import UNDECODABLE_BODY_IS_422
from mediation.web.forms import client_of


@post(
    "/api/v1/cases/{reference:str}/events",
    name="api_case_event",
    tags=["cases"],
    status_code=200,
    summary="Record an event on a case",
    description="An event that cannot happen now gets 409 with the lifecycle's reason; a bad field 422; a "
    "case you may not see 404; an event your role may not record 403.",
    opt={"action": "record_event"},
    exception_handlers=UNDECODABLE_BODY_IS_422,
)
async def api_case_event(
    request: Request, reference: FromPath[str], data: JSONBody[EventRequest]
) -> CaseDetail:
    user = user_of(request)
    case = await handlers.apply(await visible_case(request, reference), data, actor=user)
    return await case_detail(user, case, client=client_of(request))


ROUTES = [api_case_event]
