"""The case page (matters, parties, documents, clocks, timeline), document downloads and re-routing."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.cases.commands import reroute_case
from mediation.cases.family_view import family_case
from mediation.cases.repository import find_case
from mediation.cases.service import RISK_LABELS, case_detail_and, case_document_file
from mediation.cases.work import panel_reads, work_panel
from mediation.errors import NotFound, Refused, ServiceError
from mediation.identity import CurrentUser
from mediation.rules.routing import DECISION_LABELS, SECTION_LABELS
from mediation.rules.wording import FAMILY_SECTIONS
from mediation.web.auth import current_user
from mediation.web.confirmations import confirm
from mediation.web.forms import client_of, page_errors

STATUS_LABELS = {
    "P": "read in the primary legislation",
    "S": "from reliable secondary guidance",
    "U": "unconfirmed; check with an adviser",
}
ARRANGED_BY_LABELS = {
    "local_authority": "The local authority",
    "health_commissioner": "The health commissioner (integrated care board)",
    None: "Mediation does not apply",
}
LODGED_BY_LABELS = {"parent_carer": "Parent or carer", "young_person": "Young person", "advocate": "Advocate"}
ACCESS_LABELS = {
    "interpreter": "Interpreter",
    "bsl": "British Sign Language interpreter",
    "step_free": "Step-free venue",
    "remote": "Remote attendance",
    "breaks": "Regular breaks",
    "other": "Other",
}


def current_user_of(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


_user = current_user_of


async def render_case(
    request: Request,
    reference: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status: int = 200,
) -> Template:
    user = _user(request)
    found = await find_case(user, reference)
    if found is None:
        raise NotFound("Case not found")
    # What the work panel needs is read with the page's other reads (cases/work.py).
    case, panel_rows = await case_detail_and(
        user, found, lambda yours: panel_reads(found, yours), client=client_of(request)
    )
    family = await family_case(found) if user.role == access.FAMILY else None
    return Template(
        "cases/family_case.html" if family else "cases/case.html",
        context={
            "family": family,
            "case": case,
            "decision_labels": DECISION_LABELS,
            "section_labels": FAMILY_SECTIONS if family else SECTION_LABELS,
            "status_labels": STATUS_LABELS,
            "risk_labels": RISK_LABELS,
            "lodged_by_labels": LODGED_BY_LABELS,
            "access_labels": ACCESS_LABELS,
            "arranged_by_label": ARRANGED_BY_LABELS.get(case.arranged_by, case.arranged_by),
            "may_reroute": "rerouted" in case.your_events,
            "work": work_panel(user, case.your_events, panel_rows),
            "may_view_tribunal": access.role_may(user, "view_tribunal"),
            "may_view_compliance": access.role_may(user, "view_compliance"),
            "errors": errors or {},
            "values": values or {"sections": case.sections},
        },
        status_code=status,
    )


@get("/cases/{reference:str}", name="case_page", opt={"action": "view_case"})
async def case_page(request: Request, reference: FromPath[str]) -> Template:
    return await render_case(request, reference)


@post("/cases/{reference:str}/reroute", name="case_reroute", opt={"action": "rerouted"})
async def case_reroute(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user = _user(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFound("Case not found")
    if not access.role_may(user, "rerouted"):
        raise Refused(access.refusal("rerouted"))
    form = await request.form()
    sections = [str(s) for s in form.getall("sections", [])]
    reason = str(form.get("reason", ""))
    try:
        await reroute_case(case, sections, reason, actor=user)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return await render_case(
            request, reference, errors=errors, values={"sections": sections, "reason": reason}, status=status
        )
    confirm(request, "Case re-routed")
    return Redirect(f"/cases/{reference}", status_code=303)


@get("/cases/{reference:str}/documents/{document_id:int}", name="case_document", opt={"action": "view_case"})
async def case_document(
    request: Request, reference: FromPath[str], document_id: FromPath[int]
) -> Response[bytes]:
    case = await find_case(_user(request), reference)
    if case is None:
        raise NotFound("Document not found")
    doc = await case_document_file(case.id, document_id)
    if doc is None:
        raise NotFound("Document not found")
    safe_name = "".join(c for c in doc["filename"] if c.isalnum() or c in "._- ") or "document.pdf"
    return Response(
        bytes(doc["content"]),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )


ROUTES = [case_page, case_reroute, case_document]
