"""Admin pages for reference data: organisations and the contact details notices need."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.organisations.closures import add_closure, list_closures, remove_closure
from mediation.organisations.service import (
    CONTACT_LABELS,
    get_organisation,
    list_organisations,
    save_contacts,
)
from mediation.web.auth import current_user
from mediation.web.forms import client_of, date_from_fields, form_values

CONTACT_FIELDS = ("name", "email", "phone", "address", "website")


@get("/admin/organisations", name="admin_organisations", opt={"action": "administer"})
async def organisations_page() -> Template:
    return Template("admin/organisations.html", context={"organisations": await list_organisations()})


async def _organisation_or_404(org_id: int):  # type: ignore[no-untyped-def]
    org = await get_organisation(org_id)
    if org is None:
        raise NotFoundException("Organisation not found")
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
        },
        status_code=status,
    )


SAVED_MESSAGES = {
    "contacts": "Contact details saved",
    "closure": "Closure day added",
    "removed": "Closure day removed",
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
        raise NotFoundException("Closure day not found")
    return Redirect(f"/admin/organisations/{org_id}?saved=removed", status_code=303)


ROUTES = [organisations_page, organisation_page, organisation_save, closure_add, closure_remove]
