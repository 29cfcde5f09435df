"""Admin pages for reference data: organisations and the contact details notices need."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.organisations.service import (
    CONTACT_LABELS,
    get_organisation,
    list_organisations,
    save_contacts,
)
from mediation.web.auth import current_user, requires_role
from mediation.web.forms import client_of, form_values

admin_only = [requires_role("admin")]
CONTACT_FIELDS = ("name", "email", "phone", "address", "website")


@get("/admin/organisations", name="admin_organisations", guards=admin_only)
async def organisations_page() -> Template:
    return Template("admin/organisations.html", context={"organisations": await list_organisations()})


async def _organisation_or_404(org_id: int):  # type: ignore[no-untyped-def]
    org = await get_organisation(org_id)
    if org is None:
        raise NotFoundException("Organisation not found")
    return org


@get("/admin/organisations/{org_id:int}", name="admin_organisation", guards=admin_only)
async def organisation_page(request: Request, org_id: FromPath[int]) -> Template:
    org = await _organisation_or_404(org_id)
    values = {f"{c.purpose}-{f}": getattr(c, f) for c in org.contacts for f in CONTACT_FIELDS}
    saved = request.query_params.get("saved") == "1"
    return Template(
        "admin/organisation.html",
        context={"org": org, "values": values, "errors": {}, "saved": saved, "labels": CONTACT_LABELS},
    )


@post("/admin/organisations/{org_id:int}", name="admin_organisation_save", guards=admin_only)
async def organisation_save(request: Request, org_id: FromPath[int]) -> Template | Redirect:
    org = await _organisation_or_404(org_id)
    values = await form_values(request)
    contacts = {
        purpose: {f: values.get(f"{purpose}-{f}", "") for f in CONTACT_FIELDS} for purpose in CONTACT_LABELS
    }
    user = current_user(request)
    assert user is not None
    errors = await save_contacts(org_id, contacts, actor=user, client=client_of(request))
    if errors:
        return Template(
            "admin/organisation.html",
            context={
                "org": org,
                "values": values,
                "errors": errors,
                "saved": False,
                "labels": CONTACT_LABELS,
            },
            status_code=400,
        )
    return Redirect(f"/admin/organisations/{org_id}?saved=1", status_code=303)


ROUTES = [organisations_page, organisation_page, organisation_save]
