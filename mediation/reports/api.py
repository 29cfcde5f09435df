"""The report figures as JSON, for the same people and the same organisation as the reports page."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.params import QueryParameter

from mediation.reports.inputs import query_inputs
from mediation.reports.service import Report, build_report, london_today
from mediation.web.auth import current_user


@get("/api/v1/reports", name="api_reports", tags=["reports"], opt={"action": "view_reports"})
async def api_reports(
    request: Request,
    organisation: Annotated[
        str | None, QueryParameter(name="organisation", description="Organisation id; staff may omit it")
    ] = None,
    start: Annotated[str | None, QueryParameter(name="from", description="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, QueryParameter(name="to", description="Last day, YYYY-MM-DD")] = None,
) -> Report:
    """Report figures for an organisation and date range (default: the last six months)."""
    user = current_user(request)
    assert user is not None  # guarded
    today = london_today()
    params = {"organisation": organisation or "", "from": start or "", "to": end or ""}
    # Refused (403, another organisation's figures) and ReportError (400, a bad parameter) answer as JSON.
    org, first, last, _ = await query_inputs(user, params, today)
    return await build_report(org, first, last, today)


ROUTES = [api_reports]
