"""The case's mediation page and its forms: service and mediator, adviser contact and choice, telling the
ICB, 'cannot arrange in 30 days', and certificates (their accessible HTML page too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import access
from mediation.advice import service as advice
from mediation.advice.common import MediationError
from mediation.case_mediation.views import MEDIATION_RULES, mediation_view
from mediation.cases.family_view import family_case
from mediation.cases.model import Disagreement
from mediation.cases.repository import find_case
from mediation.certificates.service import KINDS, certificate, issue_certificate
from mediation.errors import ServiceError
from mediation.identity import CurrentUser
from mediation.polls.replies import polls_of
from mediation.services.service import mediators
from mediation.web.auth import current_user
from mediation.web.confirmations import confirm
from mediation.web.forms import date_from_fields, form_values, page_errors, whole_number

CLOCK_COLOURS = {"running": "blue", "met": "green", "late": "orange", "breached": "red", "cancelled": "grey"}


def user_of(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


async def visible_case(request: Request, reference: str) -> Disagreement:
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
    case: Disagreement,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = user_of(request)
    view = await mediation_view(user, case)
    family = await family_case(case) if user.role == access.FAMILY else None
    return Template(
        "mediation/family_case.html" if family else "mediation/case.html",
        context={
            "family": family,
            "mediation_rules": MEDIATION_RULES,
            "title": f"Mediation for case {case.reference}",
            "case": case,
            "view": view,
            "services": await advice.mediation_services() if "assign_service" in view.actions else [],
            "mediators": await mediators(case.mediation_service_id)
            if "assign_mediator" in view.actions
            else [],
            "choices": advice.CHOICES,
            "kinds": KINDS,
            "clock_colours": CLOCK_COLOURS,
            "errors": errors or {},
            "values": values or {},
            "is_staff": user.is_staff,
            "polls": await polls_of(case.id) if access.may(user, "view_meeting_poll", case) else [],
        },
        status_code=status,
    )


@get("/cases/{reference:str}/mediation", name="mediation_page", opt={"action": "view_case"})
async def mediation_page(request: Request, reference: FromPath[str]) -> Template:
    return await render_mediation(request, await visible_case(request, reference))


_int = whole_number


async def _with_date(
    v: dict[str, str], field: str, label: str, change: Callable[[dt.date | None], Awaitable[object]]
) -> None:
    """Run a change with the date typed in a GOV.UK date input; a date that cannot be read is reported with
    the change's own field errors, so the summary lists every problem at once."""
    errors: dict[str, str] = {}
    day = date_of(v, field, label, errors)
    try:
        await change(day)
    except MediationError as exc:
        raise MediationError({**exc.errors, **errors}) from exc
    if errors:
        raise MediationError(errors)


async def _service(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await advice.assign_service(case, _int(v.get("service", "")), actor=user)


async def _mediator(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await advice.assign_mediator(case, _int(v.get("mediator", "")), actor=user)


async def _advice(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "contacted",
        "The date the family contacted the adviser",
        lambda day: advice.record_advice(case, contacted_on=day, choice=v.get("choice", ""), actor=user),
    )


async def _icb(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "notified",
        "The date the health commissioner was told",
        lambda day: advice.notify_icb(case, notified_on=day, actor=user),
    )


async def _unable(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "told",
        "The date the mediation adviser was told",
        lambda day: advice.unable_to_arrange(case, told_on=day, reason=v.get("reason", ""), actor=user),
    )


async def _certificate(case: Disagreement, v: dict[str, str], user: CurrentUser) -> None:
    await _with_date(
        v,
        "issued",
        "The date the certificate is issued",
        lambda day: issue_certificate(case, day, actor=user, number=v.get("number", "")[:60]),
    )


Handler = Callable[[Disagreement, dict[str, str], CurrentUser], Awaitable[None]]
# Each form: its use case and what the confirmation banner says. The page opens at its top after a save,
# where the banner is (a fragment would scroll past it without JavaScript).
FORMS: dict[str, tuple[Handler, str]] = {
    "service": (_service, "Mediation service saved"),
    "mediator": (_mediator, "Mediator assigned to the case"),
    "advice": (_advice, "Contact with the mediation adviser recorded"),
    "icb-notified": (_icb, "Recorded that the health commissioner was told"),
    "unable": (_unable, "Recorded that mediation cannot be held within 30 days"),
    "certificate": (_certificate, "Mediation certificate issued"),
}


@post("/cases/{reference:str}/mediation/{form:str}", name="mediation_form", opt={"action": "record_event"})
async def mediation_form(
    request: Request, reference: FromPath[str], form: FromPath[str]
) -> Template | Redirect:
    case = await visible_case(request, reference)
    user = user_of(request)
    if form not in FORMS:
        raise NotFoundException("No such mediation form")
    handler, confirmation = FORMS[form]
    values = await form_values(request)
    try:
        await handler(case, values, user)
    except ServiceError as exc:
        errors, status = page_errors(exc)
        fresh = await visible_case(request, reference)  # the failed change was rolled back
        return await render_mediation(
            request, fresh, errors=errors, values={**values, "_form": form}, status=status
        )
    confirm(request, confirmation)
    return Redirect(f"/cases/{reference}/mediation", status_code=303)


@get(
    "/cases/{reference:str}/mediation/certificates/{number:str}",
    name="mediation_certificate",
    opt={"action": "view_case"},
)
async def certificate_page(request: Request, reference: FromPath[str], number: FromPath[str]) -> Template:
    case = await visible_case(request, reference)
    found = await certificate(case.id, number)
    if found is None:
        raise NotFoundException("Certificate not found")
    return Template(
        "mediation/certificate.html",
        context={"title": f"Mediation certificate {number}", "case": case, "certificate": found},
    )


ROUTES = [mediation_page, mediation_form, certificate_page]
