"""The reports page (figures, charts and tables) and its CSV download, for LA and ICB staff and admins."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.response import Template

from mediation.identity import CurrentUser
from mediation.reports.charts import bar_chart
from mediation.reports.errors import ReportError
from mediation.reports.inputs import form_dates, query_inputs
from mediation.reports.service import (
    METRICS,
    build_report,
    london_today,
    organisation_for,
    reportable_organisations,
)
from mediation.web.auth import current_user

NOUNS = {m.id: m.noun for m in METRICS}
CSV_INJECTION = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded
    return user


@get("/reports", name="reports", opt={"action": "view_reports"})
async def reports_page(request: Request) -> Template:
    user = _user(request)
    values = {k: v for k, v in request.query_params.items()}
    today = london_today()
    errors: dict[str, str] = {}
    organisation = None
    try:
        organisation = await organisation_for(user, values.get("organisation"))  # Refused: the error page
    except ReportError as exc:
        errors.update(exc.errors)
    start, end, date_errors = form_dates(values, today)
    errors.update(date_errors)
    report = charts = None
    links: dict[str, str] = {}
    if organisation is not None and not errors and start is not None and end is not None:
        report = await build_report(organisation, start, end, today)
        charts = {m.id: bar_chart(m, NOUNS[m.id]) for m in report.metrics}
        query = {"organisation": organisation.id, "from": start.isoformat(), "to": end.isoformat()}
        links = {"all": "/reports.csv?" + urlencode(query)}
        links.update({m.id: "/reports.csv?" + urlencode({**query, "metric": m.id}) for m in report.metrics})
    choices = await reportable_organisations() if user.role == "admin" else []
    return Template(
        "reports/index.html",
        context={
            "values": values,
            "errors": errors,
            "organisation": organisation,
            "choices": choices,
            "report": report,
            "charts": charts,
            "links": links,
            "today": today,
        },
        status_code=400 if errors else 200,
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_INJECTION) else text


@get("/reports.csv", name="reports_csv", opt={"action": "view_reports"})
async def reports_csv(request: Request) -> Response[str]:
    """Every figure by month (or, for today's breaches, by who must act); `metric=` for just one."""
    today = london_today()
    # Refused (another organisation's figures) and ReportError (400) become the error page.
    organisation, start, end, metric = await query_inputs(_user(request), request.query_params, today)
    report = await build_report(organisation, start, end, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "organisation_code",
            "organisation",
            "metric",
            "title",
            "period_start",
            "period_end",
            "group",
            "value",
            "out_of",
        ]
    )
    for m in report.metrics:
        if metric and m.id != metric:
            continue
        for bar in m.bars:
            first, last = (bar.start, bar.end) if bar.start else (today, today)
            row = [
                organisation.code,
                organisation.name,
                m.id,
                m.title,
                first,
                last,
                bar.label,
                bar.value,
                bar.total,
            ]
            writer.writerow([_cell(v) for v in row])
    filename = f"send-mediation-{metric or 'report'}-{start.isoformat()}-to-{end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",  # Litestar adds "; charset=utf-8"
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


ROUTES = [reports_page, reports_csv]
