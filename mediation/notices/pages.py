"""Pages: the LA's notice list and issue form, one notice (LA or family), its PDFs, and "I disagree"."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.family_view import adviser_for, family_date
from mediation.errors import NotFound
from mediation.identity import CurrentUser
from mediation.lodging.errors import UploadError
from mediation.lodging.service import MAX_UPLOAD_BYTES, check_pdf
from mediation.notices import reading
from mediation.notices.batches import list_batches
from mediation.notices.content import NOTICE_DECISIONS, PLAN_KINDS, validate_notice
from mediation.notices.errors import IssueError
from mediation.notices.service import PlanFile, issue_notice, london_today
from mediation.rules.routing import SECTION_LABELS
from mediation.rules.wording import FAMILY_DECISIONS
from mediation.web.auth import current_user
from mediation.web.forms import client_of, whole_number

# What the coordinator is issuing: a plan (final or amended) or one of the appealable decisions.
ISSUING = {
    "final_plan": "A final EHC plan",
    "amended_plan": "An amended EHC plan, after a review",
    **{k: v for k, v in NOTICE_DECISIONS.items() if k != "plan_contents"},
}
FORM_FIELDS = [
    "issuing", "decision-day", "decision-month", "decision-year", "child_name", "dob-day", "dob-month",
    "dob-year", "family_name", "family_email", "postal_address", "form_id", "large_print",
]  # fmt: skip
_FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ERROR_ORDER = [
    "notice-form", "issuing", "decision-day", "sections", "child_name", "dob-day", "family_name",
    "family_email", "postal_address", "plan", "reissue",
]  # fmt: skip


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order of the fields on the page, so the summary reads top to bottom."""
    return dict(
        sorted(errors.items(), key=lambda item: ERROR_ORDER.index(item[0]) if item[0] in ERROR_ORDER else 99)
    )


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded
    return user


@get("/notices", name="notices", opt={"action": "issue_notices"})
async def notices_page(request: Request) -> Template:
    user = _user(request)
    page = request.query_params.get("page", "1")
    number = typed if (typed := whole_number(page)) and typed < 10_000 else 1
    notices = await reading.list_notices(user, limit=51, offset=(number - 1) * 50)
    return Template(
        "notices/list.html",
        context={
            "title": "Decision notices",
            "notices": notices[:50],
            "page": number,
            "more": len(notices) > 50,
            "batches": await list_batches(user, limit=5),
        },
    )


def _form(
    values: dict[str, Any], errors: dict[str, str], *, status: int = 200, duplicate: bool = False
) -> Template:
    return Template(
        "notices/new.html",
        context={
            "title": "Issue a decision notice",
            "values": values,
            "errors": _ordered(errors),
            "issuing": ISSUING,
            "section_labels": SECTION_LABELS,
            "duplicate": duplicate,
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
        status_code=status,
    )


@get("/notices/new", name="notice_new", opt={"action": "issue_notices"})
async def notice_new() -> Template:
    return _form({"form_id": secrets.token_urlsafe(18), "sections": []}, {})


def _as_notice_values(values: dict[str, Any]) -> dict[str, Any]:
    issuing = str(values.get("issuing", ""))
    plan_kind = {"final_plan": "final", "amended_plan": "amended"}.get(issuing, "")
    return {
        **values,
        "decision": "plan_contents" if plan_kind else issuing,
        "plan_kind": plan_kind,
    }


@post(
    "/notices/new",
    name="notice_issue",
    request_max_body_size=MAX_UPLOAD_BYTES + 1_000_000,
    opt={"action": "issue_notices"},
)
async def notice_issue(request: Request) -> Template | Redirect:
    user = _user(request)
    form = await request.form()
    values: dict[str, Any] = {field: str(form.get(field, "")) for field in FORM_FIELDS}
    values["sections"] = [str(s) for s in form.getall("sections", [])]
    if not _FORM_ID.match(values["form_id"]):
        values["form_id"] = secrets.token_urlsafe(18)
    notice, errors = validate_notice(_as_notice_values(values), today=london_today())
    if errors.pop("decision", None) or errors.pop("plan_kind", None):
        errors = {"issuing": "Select what you are issuing", **errors}
    upload = form.get("plan")
    plan = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["plan"] = "Select the plan or decision letter to send with the notice (a PDF)"
    else:
        content = await upload.read()
        try:
            check_pdf(upload.filename, content)
            plan = PlanFile(upload.filename, content)
        except UploadError as exc:
            errors["plan"] = str(exc)
    if errors or notice is None or plan is None:
        if "plan" not in errors and plan is not None:
            errors["plan"] = "Select the PDF again: files are not kept when there is a problem with the form"
        return _form(values, errors, status=400)
    try:
        reference, _ = await issue_notice(
            notice,
            la_id=int(user.organisation_id or 0),
            actor=user,
            dedupe_key=f"form:{user.id}:{values['form_id']}",
            plan=plan,
            allow_repeat=form.get("reissue") == "yes",
        )
    except IssueError as exc:
        problems = {("notice-form" if k == "" else k): v for k, v in exc.errors.items()}
        return _form(values, problems, status=400, duplicate="reissue" in problems)
    return Redirect(f"/notices/{reference}?issued=1", status_code=303)


@get("/notices/{reference:str}", name="notice_page", opt={"action": "view_notices"})
async def notice_page(request: Request, reference: FromPath[str]) -> Template:
    user = _user(request)
    notice = await reading.get_notice(user, reference, client=client_of(request))
    if notice is None:
        raise NotFound("Notice not found")
    is_family = user.role == "family"
    return Template(
        "notices/notice.html",
        context={
            "title": notice.title,
            "notice": notice,
            "is_family": is_family,
            "family_decision": FAMILY_DECISIONS.get(notice.decision, notice.title),
            "family_dates": [
                family_date(
                    d.rule,
                    d.due,
                    actor="family",
                    status="running",
                    citation=d.citation,
                    explanation=d.explanation,
                    council=notice.local_authority,
                )  # fmt: skip
                for d in notice.deadlines
            ]
            if is_family
            else [],
            "adviser": await adviser_for(notice.local_authority_id) if is_family else None,
            "issued": request.query_params.get("issued") == "1" and user.role != "family",
            "section_labels": SECTION_LABELS,
            "plan_kinds": PLAN_KINDS,
        },
    )


@get("/notices/{reference:str}/files/{which:str}", name="notice_file", opt={"action": "view_notices"})
async def notice_file(request: Request, reference: FromPath[str], which: FromPath[str]) -> Response[bytes]:
    found = await reading.notice_file(_user(request), reference, which)
    if found is None:
        raise NotFound("Document not found")
    filename, content = found
    safe_name = "".join(c for c in filename if c.isalnum() or c in "._- ") or "document.pdf"
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )


@post("/notices/{reference:str}/disagree", name="notice_disagree", opt={"action": "disagree_with_notice"})
async def notice_disagree(request: Request, reference: FromPath[str]) -> Redirect:
    target = await reading.start_disagreement(_user(request), reference)
    if target is None:
        raise NotFound("Notice not found")
    return Redirect(target, status_code=303)


ROUTES = [notices_page, notice_new, notice_issue, notice_page, notice_file, notice_disagree]
