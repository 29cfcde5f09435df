"""The case's mediation page and its forms: service and mediator, adviser contact and choice, telling the
ICB, 'cannot arrange in 30 days', and certificates (their accessible HTML page too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.service import find_case
from mediation.identity import CurrentUser
from mediation.mediation import advice
from mediation.mediation.certificates import KINDS, certificate, issue_certificate
from mediation.mediation.common import MediationError, may
from mediation.mediation.people import mediators
from mediation.mediation.views import mediation_view
from mediation.web.auth import current_user, requires_sign_in
from mediation.web.forms import date_from_fields, form_values

CLOCK_COLOURS = {"running": "blue", "met": "green", "cancelled": "grey"}


def user_of(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # guarded by requires_sign_in
    return user


async def visible_case(request: Request, reference: str) -> dict[str, Any]:
    case = await find_case(user_of(request), reference)
    if case is None:
        raise NotFoundException("Case not found")
    return case


def date_of(values: dict[str, str], field: str, label: str, errors: dict[str, str]) -> dt.date | None:
    iso, error = date_from_fields(values, field, label)
    if error:
        errors[f"{field}-day"] = error
    return dt.date.fromisoformat(iso) if iso else None


async def render_mediation(
    request: Request,
    case: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = user_of(request)
    view = await mediation_view(user, case)
    return Template(
        "mediation/case.html",
        context={
            "title": f"Mediation for case {case['reference']}",
            "case": case,
            "view": view,
            "services": await advice.mediation_services() if "assign_service" in view.actions else [],
            "mediators": await mediators(case["mediation_service"])
            if "assign_mediator" in view.actions
            else [],
            "choices": advice.CHOICES,
            "kinds": KINDS,
            "clock_colours": CLOCK_COLOURS,
            "errors": errors or {},
            "values": values or {},
            "is_staff": user.is_staff,
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation", name="mediation_page", guards=[requires_sign_in])
async def mediation_page(request: Request, reference: FromPath[str]) -> Template:
    return await render_mediation(request, await visible_case(request, reference))


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


async def _service(
    case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]
) -> None:
    await advice.assign_service(case, _int(v.get("service", "")), actor=user)


async def _mediator(
    case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]
) -> None:
    await advice.assign_mediator(case, _int(v.get("mediator", "")), actor=user)


async def _advice(case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]) -> None:
    contacted = date_of(v, "contacted", "The date the family contacted the adviser", errors)
    try:
        await advice.record_advice(case, contacted_on=contacted, choice=v.get("choice", ""), actor=user)
    except MediationError as exc:
        raise MediationError({**exc.errors, **errors}) from exc


async def _icb(case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]) -> None:
    notified = date_of(v, "notified", "The date the health commissioner was told", errors)
    try:
        await advice.notify_icb(case, notified_on=notified, actor=user)
    except MediationError as exc:
        raise MediationError({**exc.errors, **errors}) from exc


async def _unable(case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]) -> None:
    told = date_of(v, "told", "The date the mediation adviser was told", errors)
    try:
        await advice.unable_to_arrange(case, told_on=told, reason=v.get("reason", ""), actor=user)
    except MediationError as exc:
        raise MediationError({**exc.errors, **errors}) from exc


async def _certificate(
    case: dict[str, Any], v: dict[str, str], user: CurrentUser, errors: dict[str, str]
) -> None:
    issued = date_of(v, "issued", "The date the certificate is issued", errors)
    try:
        await issue_certificate(case, v.get("kind", ""), issued, actor=user)
    except MediationError as exc:
        raise MediationError({**exc.errors, **errors}) from exc


Handler = Callable[[dict[str, Any], dict[str, str], CurrentUser, dict[str, str]], Awaitable[None]]
FORMS: dict[str, tuple[str, Handler, str]] = {
    "service": ("assign_service", _service, "service"),
    "mediator": ("assign_mediator", _mediator, "mediator"),
    "advice": ("record_advice", _advice, "advice"),
    "icb-notified": ("notify_icb", _icb, "icb"),
    "unable": ("unable_to_arrange", _unable, "unable"),
    "certificate": ("issue_certificate", _certificate, "certificates"),
}


@post("/cases/{reference:str}/mediation/{form:str}", name="mediation_form", guards=[requires_sign_in])
async def mediation_form(
    request: Request, reference: FromPath[str], form: FromPath[str]
) -> Template | Redirect:
    case = await visible_case(request, reference)
    user = user_of(request)
    if form not in FORMS:
        raise NotFoundException("No such mediation form")
    action, handler, anchor = FORMS[form]
    if not may(user, action, case):
        raise PermissionDeniedException("You do not have permission to do this")
    values = await form_values(request)
    try:
        await handler(case, values, user, {})
    except MediationError as exc:
        fresh = await visible_case(request, reference)  # the failed change was rolled back
        return await render_mediation(
            request, fresh, errors=exc.errors, values={**values, "_form": form}, status=400
        )
    return Redirect(f"/cases/{reference}/mediation#{anchor}", status_code=303)


@get(
    "/cases/{reference:str}/mediation/certificates/{number:str}",
    name="mediation_certificate",
    guards=[requires_sign_in],
)
async def certificate_page(request: Request, reference: FromPath[str], number: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    found = await certificate(case["id"], number)
    if found is None:
        raise NotFoundException("Certificate not found")
    return Template(
        "mediation/certificate.html",
        context={"title": f"Mediation certificate {number}", "case": case, "certificate": found},
    )


ROUTES = [mediation_page, mediation_form, certificate_page]
