"""Pages for an LA's notice fields: each save is a new version; notices keep the version they used."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.errors import Conflict, NotFound, ServiceError
from mediation.identity import CurrentUser
from mediation.lodging.service import local_authorities
from mediation.notices.fields import BY_NAME, FIELDS, stored, validate_fields
from mediation.notices.rendering import render_body
from mediation.notices.versions import (
    MAX_NOTE,
    current_template,
    list_versions,
    local_authority,
    preview_context,
    save_version,
    template_version_row,
)
from mediation.web.auth import current_user
from mediation.web.forms import client_of, form_values, page_errors


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded
    return user


async def _la_or_404(user: CurrentUser, la_id: int) -> dict:
    """Coordinators edit only their own LA's text; admins any LA's. Anything else looks missing."""
    if user.role == "la_coordinator" and user.organisation_id != la_id:
        raise NotFound("Local authority not found")
    la = await local_authority(la_id)
    if la is None:
        raise NotFound("Local authority not found")
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
    preview: dict | None = None,
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
            "fields": FIELDS,
            "values": values or {**current["fields"], "note": "", "based_on": str(current["version"])},
            "errors": errors,
            "preview": preview,
            "saved": saved,
            "versions": await list_versions(la["id"]),
            "max_note": MAX_NOTE,
        },
        status_code=status,
    )


async def _preview(la_id: int, fields: dict[str, str]) -> dict:
    """The sample notice as it would be sent with these fields: the letterhead, then the text."""
    context, missing = await preview_context(la_id)
    return {
        "fields": fields,
        "address_lines": fields["address"].split("\n") if fields["address"] else [],
        "body": render_body(context, fields),
        "missing": missing,
    }


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
    if values.get("action") == "preview":
        fields, errors = validate_fields(values)
        preview = None if errors else await _preview(la_id, fields)
        return await _edit_page(la, values, errors, preview=preview, status=400 if errors else 200)
    based_on = values.get("based_on", "")
    try:
        version = await save_version(
            la_id, values, values.get("note", ""), actor=user, client=client_of(request),
            based_on=int(based_on) if based_on.isdigit() and len(based_on) < 10 else None,
        )  # fmt: skip
    except ServiceError as exc:
        errors, status = page_errors(exc)
        if isinstance(exc, Conflict):  # the form now starts from the newest version; what was typed stays
            values = {**values, "based_on": str((await current_template(la_id))["version"])}
        return await _edit_page(la, values, errors, status=status)
    return Redirect(f"/notice-templates/{la_id}?saved={version}", status_code=303)


@get(
    "/notice-templates/{la_id:int}/versions/{version:int}",
    name="notice_template_version",
    opt={"action": "edit_notice_templates"},
)
async def template_version(request: Request, la_id: FromPath[int], version: FromPath[int]) -> Template:
    la = await _la_or_404(_user(request), la_id)
    row = await template_version_row(la_id, version)
    if row is None:
        raise NotFound("Version not found")
    shown = None if row["fields"] is None else stored(row["fields"])
    return Template(
        "notices/template_version.html",
        context={
            "title": f"Version {version} of the notice text for {la['name']}",
            "la": la,
            "row": row,
            "shown": [(BY_NAME[name], value) for name, value in shown.items()] if shown else None,
        },
    )


ROUTES = [templates_index, template_page, template_save, template_version]
