"""Admin pages for reference data: organisations and the contact details notices need."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.errors import NotFound
from mediation.organisations.closures import add_closure, list_closures, remove_closure
from mediation.organisations.service import (
    CODE_HINTS,
    CONTACT_LABELS,
    KIND_LABELS,
    OrganisationInput,
    add_link,
    add_organisation,
    edit_organisation,
    end_link,
    get_organisation,
    links_of,
    list_organisations,
    save_contacts,
)
from mediation.web.auth import current_user
from mediation.web.forms import client_of, date_from_fields, form_values, whole_number

CONTACT_FIELDS = ("name", "email", "phone", "address", "website")


@get("/admin/organisations", name="admin_organisations", opt={"action": "administer"})
async def organisations_page(request: Request) -> Template:
    passed = whole_number(request.query_params.get("passed"))
    return Template(
        "admin/organisations.html",
        context={"organisations": await list_organisations(), "passed": passed},
    )


async def _organisation_or_404(org_id: int):
    org = await get_organisation(org_id)
    if org is None:
        raise NotFound("Organisation not found")
    return org


async def _page(
    org_id: int, values: dict[str, str] | None, errors: dict[str, str], *, saved: str = "", status: int = 200
) -> Template:
    org = await _organisation_or_404(org_id)
    shown = {f"{c.purpose}-{f}": getattr(c, f) for c in org.contacts for f in CONTACT_FIELDS}
    shown.update(values or {})  # what was typed wins, so nothing is lost on an error
    return Template(
        "admin/organisation.html",
        context={
            "org": org,
            "values": shown,
            "errors": errors,
            "saved": saved,
            "labels": CONTACT_LABELS,
            "closures": await list_closures(org_id),
            "links": await links_of(org_id),
            "icbs": [o for o in await list_organisations() if o.kind == "icb"],
        },
        status_code=status,
    )


SAVED_MESSAGES = {
    "contacts": "Contact details saved",
    "closure": "Closure day added",
    "removed": "Closure day removed",
    "created": "Organisation added",
    "details": "Details saved",
    "link": "Link added",
    "link_ended": "Link end date saved",
}


@get("/admin/organisations/{org_id:int}", name="admin_organisation", opt={"action": "administer"})
async def organisation_page(request: Request, org_id: FromPath[int]) -> Template:
    saved = SAVED_MESSAGES.get(request.query_params.get("saved", ""), "")
    return await _page(org_id, None, {}, saved=saved)


@post("/admin/organisations/{org_id:int}", name="admin_organisation_save", opt={"action": "administer"})
async def organisation_save(request: Request, org_id: FromPath[int]) -> Template | Redirect:
    org = await _organisation_or_404(org_id)
    values = await form_values(request)
    # Only the contacts the form actually sent: a partial post must never blank the others.
    contacts = {
        purpose: {f: values.get(f"{purpose}-{f}", "") for f in CONTACT_FIELDS}
        for purpose in CONTACT_LABELS
        if any(f"{purpose}-{f}" in values for f in CONTACT_FIELDS)
    }
    user = current_user(request)
    assert user is not None
    errors = await save_contacts(org_id, contacts, actor=user, client=client_of(request))
    if errors:
        return await _page(org.id, values, errors, status=400)
    return Redirect(f"/admin/organisations/{org_id}?saved=contacts", status_code=303)


@post("/admin/organisations/{org_id:int}/closures", name="admin_closure_add", opt={"action": "administer"})
async def closure_add(request: Request, org_id: FromPath[int]) -> Template | Redirect:
    await _organisation_or_404(org_id)
    values = await form_values(request)
    day, error = date_from_fields(values, "closure", "The closure day")
    errors = {"closure-day": error} if error else {}
    if day is None and not error:
        errors["closure-day"] = "Enter the closure day"
    user = current_user(request)
    assert user is not None
    parsed = dt.date.fromisoformat(day) if day else None
    errors.update(
        await add_closure(org_id, parsed, values.get("reason", ""), actor=user, client=client_of(request))
    )
    if errors:
        return await _page(org_id, values, errors, status=400)
    return Redirect(f"/admin/organisations/{org_id}?saved=closure", status_code=303)


@post(
    "/admin/organisations/{org_id:int}/closures/{closure_id:int}/remove",
    name="admin_closure_remove",
    opt={"action": "administer"},
)
async def closure_remove(request: Request, org_id: FromPath[int], closure_id: FromPath[int]) -> Redirect:
    user = current_user(request)
    assert user is not None
    if not await remove_closure(org_id, closure_id, actor=user, client=client_of(request)):
        raise NotFound("Closure day not found")
    return Redirect(f"/admin/organisations/{org_id}?saved=removed", status_code=303)


# --- Adding and editing organisations, their dates and successor; LA-ICB links; successions ---

DATE_FIELDS = (("valid_from", "The first day"), ("valid_to", "The last day"))


def _dates(values: dict[str, str], errors: dict[str, str]) -> dict[str, dt.date | None]:
    found: dict[str, dt.date | None] = {}
    for field, label in DATE_FIELDS:
        day, error = date_from_fields(values, field, label)
        if error:
            errors[field] = error
        found[field] = dt.date.fromisoformat(day) if day else None
    return found


def _input(values: dict[str, str], kind: str, errors: dict[str, str]) -> OrganisationInput:
    dates = _dates(values, errors)
    successor_raw = values.get("successor", "").strip()
    successor = whole_number(successor_raw) if successor_raw else None
    if successor_raw and successor is None:
        errors["successor"] = "Select the successor from the list"
    return OrganisationInput(
        kind=kind,
        name=values.get("name", ""),
        code=values.get("code", ""),
        email=values.get("email", ""),
        phone=values.get("phone", ""),
        address=values.get("address", ""),
        website=values.get("website", ""),
        valid_from=dates["valid_from"],
        valid_to=dates["valid_to"],
        successor_id=successor,
    )


async def _form(
    values: dict[str, str],
    errors: dict[str, str],
    *,
    org=None,
    status: int = 200,
) -> Template:
    others = [o for o in await list_organisations() if org is None or o.id != org.id]
    return Template(
        "admin/organisation_form.html",
        context={
            "org": org,
            "values": values,
            "errors": errors,
            "kinds": KIND_LABELS,
            "code_hints": CODE_HINTS,
            "successors": [o for o in others if org is None or o.kind == org.kind],
        },
        status_code=status,
    )


def _shown(org) -> dict[str, str]:
    values = {k: getattr(org, k) or "" for k in ("name", "code", "email", "phone", "address", "website")}
    for field, _label in DATE_FIELDS:
        day = getattr(org, field)
        if day is not None:
            values.update(
                {
                    f"{field}-day": str(day.day),
                    f"{field}-month": str(day.month),
                    f"{field}-year": str(day.year),
                }
            )
    values["successor"] = str(org.successor_id or "")
    return values


@get("/admin/organisations/new", name="admin_organisation_new", opt={"action": "administer"})
async def organisation_new_page() -> Template:
    return await _form({}, {})


@post("/admin/organisations/new", name="admin_organisation_create", opt={"action": "administer"})
async def organisation_create(request: Request) -> Template | Redirect:
    values = await form_values(request)
    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    data = _input(values, kind, errors)
    if not errors:
        user = current_user(request)
        org_id, errors = await add_organisation(data, actor=user, client=client_of(request))
        if org_id is not None:
            return Redirect(f"/admin/organisations/{org_id}?saved=created", status_code=303)
    return await _form(values, errors, status=400)


@get("/admin/organisations/{org_id:int}/edit", name="admin_organisation_edit", opt={"action": "administer"})
async def organisation_edit_page(org_id: FromPath[int]) -> Template:
    org = await _organisation_or_404(org_id)
    return await _form(_shown(org), {}, org=org)


@post(
    "/admin/organisations/{org_id:int}/edit", name="admin_organisation_update", opt={"action": "administer"}
)
async def organisation_update(request: Request, org_id: FromPath[int]) -> Template | Redirect:
    org = await _organisation_or_404(org_id)
    values = await form_values(request)
    errors: dict[str, str] = {}
    data = _input(values, org.kind, errors)
    if not errors:
        errors = await edit_organisation(org_id, data, actor=current_user(request), client=client_of(request))
    if errors:
        return await _form(values, errors, org=org, status=400)
    return Redirect(f"/admin/organisations/{org_id}?saved=details", status_code=303)


@post("/admin/organisations/{org_id:int}/links", name="admin_link_add", opt={"action": "administer"})
async def link_add(request: Request, org_id: FromPath[int]) -> Template | Redirect:
    org = await _organisation_or_404(org_id)
    if org.kind != "local_authority":
        raise NotFound("Only a local authority is linked to integrated care boards")
    values = await form_values(request)
    errors: dict[str, str] = {}
    spans: dict[str, dt.date | None] = {}
    for field, label in (("link_from", "The link's first day"), ("link_to", "The link's last day")):
        day, error = date_from_fields(values, field, label)
        if error:
            errors[field] = error
        spans[field] = dt.date.fromisoformat(day) if day else None
    icb_raw = values.get("icb", "")
    if not errors:
        errors = await add_link(
            org_id,
            whole_number(icb_raw),
            spans["link_from"],
            spans["link_to"],
            actor=current_user(request),
            client=client_of(request),
        )
    if errors:
        return await _page(org_id, values, errors, status=400)
    return Redirect(f"/admin/organisations/{org_id}?saved=link", status_code=303)


@post(
    "/admin/organisations/{org_id:int}/links/{link_id:int}/end",
    name="admin_link_end",
    opt={"action": "administer"},
)
async def link_end(request: Request, org_id: FromPath[int], link_id: FromPath[int]) -> Template | Redirect:
    await _organisation_or_404(org_id)
    values = await form_values(request)
    prefix = f"end-{link_id}"
    day, error = date_from_fields(values, prefix, "The link's last day")
    if error:
        return await _page(org_id, values, {prefix: error}, status=400)
    errors = await end_link(
        org_id,
        link_id,
        dt.date.fromisoformat(day) if day else None,
        actor=current_user(request),
        client=client_of(request),
    )
    if errors is None:
        raise NotFound("Link not found")
    if errors:
        return await _page(org_id, values, errors, status=400)
    return Redirect(f"/admin/organisations/{org_id}?saved=link_ended", status_code=303)


ROUTES = [
    organisations_page,
    organisation_page,
    organisation_save,
    closure_add,
    closure_remove,
    organisation_new_page,
    organisation_create,
    organisation_edit_page,
    organisation_update,
    link_add,
    link_end,
]
