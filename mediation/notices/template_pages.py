"""Pages for changing an LA's notice text: each save is a new version; notices keep the version they used."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.identity import CurrentUser
from mediation.lodging.service import local_authorities
from mediation.notices.rendering import NoticeTemplateError, render_body
from mediation.notices.tables import NoticeTemplate
from mediation.notices.versions import (
    MAX_NOTE,
    check_template,
    current_template,
    list_versions,
    sample_context,
    save_version,
)
from mediation.organisations.tables import Organisation
from mediation.web.auth import current_user
from mediation.web.forms import client_of, form_values

PREVIEW_SAMPLE = ("plan_contents", "final", ["A", "B", "C", "F", "G", "I"])
VARIABLES = {
    "notice": "reference, title, sent_on, decision, decision_label, plan_kind, decision_date, sections, "
    "section_labels",
    "child": "name, date_of_birth",
    "family": "name",
    "la": "name, contact (name, email, phone, address, website)",
    "adviser, sendiass, resolution": "the LA's mediation adviser, SENDIASS and disagreement resolution "
    "contacts (name, email, phone, address, website); sendiass and resolution may be empty",
    "icb": "name, contact (may be empty)",
    "routing": "certificate_required, appeal_available, section_i_alone, section_i_included, "
    "health_involved, health_only, social_care_involved, scope, arranged_by, explanation",
    "deadlines": "contact_mediation_adviser and appeal (appeal is empty when no appeal lies), each with "
    "title, due, citation, status, status_label, explanation",
    "deadline_list": "the same deadlines as a list",
    "filters": "long_date (10 May 2027), day_date (Monday 10 May 2027)",
}


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded
    return user


async def _la_or_404(user: CurrentUser, la_id: int) -> dict:
    """Coordinators edit only their own LA's text; admins any LA's. Anything else looks missing."""
    if user.role == "la_coordinator" and user.organisation_id != la_id:
        raise NotFoundException("Local authority not found")
    la = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where((Organisation.id == la_id) & (Organisation.kind == "local_authority"))
        .first()
    )
    if la is None:
        raise NotFoundException("Local authority not found")
    return la


@get("/notice-templates", name="notice_templates", opt={"action": "edit_notice_templates"})
async def templates_index(request: Request) -> Template | Redirect:
    user = _user(request)
    if user.role == "la_coordinator":
        return Redirect(f"/notice-templates/{user.organisation_id}")
    return Template(
        "notices/templates_index.html",
        context={"title": "Notice text for each local authority", "las": await local_authorities()},
    )


async def _edit_page(
    la: dict,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    preview: str = "",
    saved: str = "",
    status: int = 200,
) -> Template:
    current = await current_template(la["id"])
    return Template(
        "notices/template_edit.html",
        context={
            "title": f"Notice text for {la['name']}",
            "la": la,
            "current": current,
            "values": values or {"body": current["body"], "note": ""},
            "errors": errors,
            "preview": preview,
            "saved": saved,
            "versions": await list_versions(la["id"]),
            "variables": VARIABLES,
            "max_note": MAX_NOTE,
        },
        status_code=status,
    )


@get("/notice-templates/{la_id:int}", name="notice_template", opt={"action": "edit_notice_templates"})
async def template_page(request: Request, la_id: FromPath[int]) -> Template:
    la = await _la_or_404(_user(request), la_id)
    saved = request.query_params.get("saved", "")
    return await _edit_page(la, {}, {}, saved=f"Version {saved} saved" if saved.isdigit() else "")


@post("/notice-templates/{la_id:int}", name="notice_template_save", opt={"action": "edit_notice_templates"})
async def template_save(request: Request, la_id: FromPath[int]) -> Template | Redirect:
    user = _user(request)
    la = await _la_or_404(user, la_id)
    values = await form_values(request)
    body, note = values.get("body", ""), values.get("note", "")
    if values.get("action") == "preview":
        problems = check_template(body.replace("\r\n", "\n")) if body.strip() else ["Enter the notice text"]
        try:
            preview = render_body(body.replace("\r\n", "\n"), sample_context(*PREVIEW_SAMPLE))
        except NoticeTemplateError:
            preview = ""
        errors = {"body": problems[0]} if problems else {}
        return await _edit_page(la, values, errors, preview=preview, status=400 if errors else 200)
    version, errors = await save_version(la_id, body, note, actor=user, client=client_of(request))
    if errors:
        return await _edit_page(la, values, errors, status=400)
    return Redirect(f"/notice-templates/{la_id}?saved={version}", status_code=303)


@get(
    "/notice-templates/{la_id:int}/versions/{version:int}",
    name="notice_template_version",
    opt={"action": "edit_notice_templates"},
)
async def template_version(request: Request, la_id: FromPath[int], version: FromPath[int]) -> Template:
    la = await _la_or_404(_user(request), la_id)
    row = (
        await NoticeTemplate.select(
            NoticeTemplate.version,
            NoticeTemplate.body,
            NoticeTemplate.note,
            NoticeTemplate.created_at,
            NoticeTemplate.created_by.full_name.as_alias("author"),
        )
        .where((NoticeTemplate.local_authority == la_id) & (NoticeTemplate.version == version))
        .first()
    )
    if row is None:
        raise NotFoundException("Version not found")
    return Template(
        "notices/template_version.html",
        context={"title": f"Version {version} of the notice text for {la['name']}", "la": la, "row": row},
    )


ROUTES = [templates_index, template_page, template_save, template_version]
