"""Cases in the JSON API, through the same access rule as the pages."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from mediation.cases.service import CaseDetail, CaseSummary, get_case, list_cases
from mediation.web.auth import current_user, requires_sign_in
from mediation.web.forms import client_of


@get(
    "/api/v1/cases", name="api_cases", guards=[requires_sign_in], tags=["cases"], summary="Cases you may see"
)
async def api_cases(
    request: Request, limit: FromQuery[int] = 50, offset: FromQuery[int] = 0
) -> list[CaseSummary]:
    user = current_user(request)
    assert user is not None
    return await list_cases(user, limit=max(1, min(limit, 200)), offset=max(0, offset))


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


ROUTES = [api_cases, api_case]
