"""Cases through the JSON API (api-contract.md "Cases through the API"): list cases, read one with its
clocks and the events it can take, re-route it. The same use cases as the pages; lodging one is
`lodging/api.py` and recording an event `case_events/api.py`, above the capabilities they call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mediation.cases.commands import reroute_case
from mediation.cases.queue import (
    RISK_LABELS,
    SCOPES,
    SEARCH_MAX_LENGTH,
    CaseSummary,
    Position,
    QueueFilters,
    QueuePage,
    queue_page,
    read_cursor,
)
from mediation.cases.repository import find_case
from mediation.cases.schemas import RerouteRequest
from mediation.cases.service import CaseDetail, case_detail
from mediation.errors import BadParameter, Invalid, NotFound
from mediation.identity import CurrentUser
from mediation.rules.lifecycle import STATES
from mediation.web.auth import current_user
from mediation.web.forms import client_of


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


Q_PARAMETER = QueryParameter(
    name="q", max_length=SEARCH_MAX_LENGTH, description="A reference, or part of the child's or family's name"
)
ASSIGNED_PARAMETER = QueryParameter(
    name="assigned_to", max_length=254, description="`me`, `none` (unassigned) or an officer's email"
)
AFTER_PARAMETER = QueryParameter(name="after", max_length=40, description="The `next` cursor of a page")
BEFORE_PARAMETER = QueryParameter(name="before", max_length=40, description="The `previous` cursor of a page")


@dataclass(frozen=True)
class QueueAsk:
    """What a queue request asks for: its filters, where its page starts and how long it is."""

    filters: QueueFilters
    after: Position | None
    before: Position | None
    limit: int


def queue_ask(
    case_state: Annotated[str | None, QueryParameter(name="state")] = None,  # "state" is reserved by Litestar
    case_scope: Annotated[str | None, QueryParameter(name="scope")] = None,  # so is "scope"
    risk: FromQuery[str | None] = None,
    q: Annotated[str | None, Q_PARAMETER] = None,
    assigned_to: Annotated[str | None, ASSIGNED_PARAMETER] = None,
    after: Annotated[str | None, AFTER_PARAMETER] = None,
    before: Annotated[str | None, BEFORE_PARAMETER] = None,
    limit: FromQuery[int] = 50,
) -> QueueAsk:
    if risk is not None and risk not in RISK_LABELS:
        raise BadParameter(f"risk must be one of {', '.join(RISK_LABELS)}")
    if case_scope is not None and case_scope not in SCOPES:
        raise BadParameter(f"scope must be one of {', '.join(SCOPES)}")
    if case_state is not None and case_state not in STATES:
        raise BadParameter(f"unknown state {case_state!r}")
    filters = QueueFilters(state=case_state, scope=case_scope, risk=risk, q=q, assigned_to=assigned_to)
    try:
        start, end = read_cursor(after, field="after"), read_cursor(before, field="before")
    except Invalid as exc:  # a bad query value, like the filters above: 400
        raise BadParameter(exc.detail) from exc
    if start is not None and end is not None:
        raise BadParameter("Give either after or before, not both")
    return QueueAsk(filters, start, end, limit)


QUEUE_ASK = {"ask": Provide(queue_ask, sync_to_thread=False)}


@get(
    "/api/v1/cases",
    name="api_cases",
    tags=["cases"],
    summary="Cases you may see",
    description="Nearest statutory deadline first; filter by state, scope (education, health, social_care), "
    "risk, search `q` and `assigned_to`. The next page: `after` = the `next` cursor of `GET /api/v1/queue` "
    "(or of the `Link: rel=next` header here); `offset` still works but costs more the deeper it goes.",
    opt={"action": "list_cases"},
    dependencies=QUEUE_ASK,
)
async def api_cases(
    request: Request, ask: NamedDependency[QueueAsk], offset: FromQuery[int] = 0
) -> Response[list[CaseSummary]]:
    page = await queue_page(
        _user(request),
        ask.filters,
        limit=ask.limit,
        after=ask.after,
        before=ask.before,
        offset=max(0, offset),
    )
    headers = {}
    if page.next is not None:
        query = {k: v for k, v in request.query_params.items() if k not in ("after", "before", "offset")}
        headers["Link"] = f'</api/v1/cases?{urlencode({**query, "after": page.next})}>; rel="next"'
    return Response(page.cases, headers=headers)


@get(
    "/api/v1/queue",
    name="api_queue",
    tags=["cases"],
    summary="Cases you may see, one page at a time, with the cursors of the next and previous pages",
    description="The same filters as `GET /api/v1/cases`; pass `next` as `after` (or `previous` as "
    "`before`) for the page either side. A cursor is null at either end.",
    opt={"action": "list_cases"},
    dependencies=QUEUE_ASK,
)
async def api_queue(request: Request, ask: NamedDependency[QueueAsk]) -> QueuePage:
    return await queue_page(_user(request), ask.filters, limit=ask.limit, after=ask.after, before=ask.before)


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
        raise NotFound("Case not found")
    return await case_detail(user, case, client=client_of(request))


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
        raise NotFound("Case not found")
    case = await reroute_case(case, data.sections, data.reason, actor=user)
    return await case_detail(user, case, client=client_of(request))


ROUTES = [api_cases, api_queue, api_case, api_case_reroute]
