"""The family's contact details page: the family, or the body handling the case, changes them."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.cases.contact import as_list
from mediation.cases.contact_change import change_contact, contact_of
from mediation.cases.repository import find_case
from mediation.errors import NotFound, Refused, ServiceError
from mediation.web.auth import current_user
from mediation.web.confirmations import confirm
from mediation.web.forms import page_errors

FIELDS = ("contact_by", "contact_email", "contact_phone", "postal_address")


async def _case(request: Request, reference: str) -> Any:
    user = current_user(request)
    case = await find_case(user, reference) if user is not None else None
    if case is None:
        raise NotFound("Case not found")
    if not access.may(user, "contact_changed", case):  # an ICB that is only a party sees, never changes
        raise Refused(access.refusal("contact_changed"))
    return user, case


def _page(case: Any, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        "cases/contact.html",
        context={
            "title": "Change contact details",
            "case": case,
            "a": values,
            "errors": errors,
            "default_email": "",
            "as_list": as_list,
        },
        status_code=status,
    )


@get("/cases/{reference:str}/contact", name="case_contact", opt={"action": "contact_changed"})
async def contact_page(request: Request, reference: FromPath[str]) -> Template:
    _, case = await _case(request, reference)
    now = contact_of(case)
    values = {
        "contact_by": now.contact_by,
        "contact_email": now.email,
        "contact_phone": now.phone,
        "postal_address": now.postal_address,
        "large_print": ["yes"] if now.large_print else [],
    }
    return _page(case, values, {})


@post("/cases/{reference:str}/contact", name="case_contact_change", opt={"action": "contact_changed"})
async def contact_change(request: Request, reference: FromPath[str]) -> Template | Redirect:
    user, case = await _case(request, reference)
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in FIELDS}
    values["large_print"] = [str(v) for v in form.getall("large_print", [])]
    try:
        await change_contact(case, values, actor=user)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        return _page(case, values, errors, status)
    confirm(request, "Contact details saved")
    return Redirect(f"/cases/{reference}", status_code=303)


ROUTES = [contact_page, contact_change]
