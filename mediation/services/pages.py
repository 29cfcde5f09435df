"""The outcome form (mediator), the family's booking page (signed link, no account) and the mediation
service's own page (mediators, their independence, working hours, leave, rooms)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation.cases.lookup import date_of, user_of
from mediation.errors import Invalid, NotFound
from mediation.services import service as people
from mediation.web.confirmations import confirm
from mediation.web.forms import form_values, whole_number


async def _service_page(
    request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200
) -> Template:
    service = user_of(request).organisation_id
    if service is None:
        raise NotFound("No mediation service")
    mediators, venues = await people.mediators_and_venues(service)
    return Template(
        "mediation/service.html",
        context={
            "title": "Mediators and rooms",
            "mediators": mediators,
            "venues": venues,
            "staff": await people.service_staff(service),
            "employers": await people.employers(),
            "weekdays": people.WEEKDAYS,
            "features": people.FEATURES,
            "errors": errors,
            "values": values,
        },
        status_code=status,
    )


@get("/mediation-service", name="mediation_service", opt={"action": "manage_mediation_service"})
async def service_page(request: Request) -> Template:
    return await _service_page(request, {}, {})


_int = whole_number


# The mediation service's own forms, and what the confirmation banner says after each.
SERVICE_SAVED = {
    "mediators": "Mediator added",
    "hours": "Working hours added",
    "leave": "Leave added",
    "venues": "Room added",
}


@post(
    "/mediation-service/{form:str}", name="mediation_service_form", opt={"action": "manage_mediation_service"}
)
async def service_form(request: Request, form: FromPath[str]) -> Template | Redirect:
    user = user_of(request)
    service = user.organisation_id
    if service is None or form not in SERVICE_SAVED:
        raise NotFound("No such form")
    v = await form_values(request)
    errors: dict[str, str] = {}
    try:
        if form == "mediators":
            await people.save_mediator(
                service,
                _int(v.get("account")),
                _int(v.get("employed_by")),
                v.get("nhs_england") == "yes",
                actor=user,
            )
        elif form == "hours":
            await people.add_hours(
                service,
                _int(v.get("mediator")) or 0,
                v.get("weekday", ""),
                v.get("starts", ""),
                v.get("ends", ""),
                actor=user,
            )
        elif form == "leave":
            first = date_of(v, "first", "The first day of leave", errors)
            last = date_of(v, "last", "The last day of leave", errors)
            try:
                await people.add_leave(
                    service,
                    _int(v.get("mediator")) or 0,
                    first,
                    last,
                    v.get("leave_reason", "").strip(),
                    actor=user,
                )
            except Invalid as exc:
                raise Invalid({**{_day_key(k): m for k, m in exc.errors.items()}, **errors}) from exc
        else:
            await people.add_venue(service, v, actor=user)
    except Invalid as exc:
        # Field ids carry the form's name: several forms on the page share field names.
        prefixed = {f"{form}-{key}": message for key, message in exc.errors.items()}
        return await _service_page(request, prefixed, {**v, "_form": form}, status=400)
    confirm(request, SERVICE_SAVED[form])
    return Redirect("/mediation-service", status_code=303)


def _day_key(key: str) -> str:
    return f"{key}-day" if key in {"first", "last"} else key


ROUTES = [service_page, service_form]
