"""The appeal tracker on a case, and the compliance view of what each body owes."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from mediation import access, timekeeping
from mediation.cases.model import Disagreement
from mediation.cases.repository import find_case
from mediation.errors import NotFound, Refused
from mediation.identity import CurrentUser
from mediation.tribunal import law
from mediation.tribunal.service import compliance, tribunal_view
from mediation.web.auth import current_user
from mediation.web.forms import date_from_fields

# The events the tracker offers forms for; each form is shown when the lifecycle allows the event now
# and the permission table lets this person record it (access.PERMISSIONS).
TRIBUNAL_EVENTS = (
    "appeal_made",
    "timetable_updated",
    "decision_recorded",
    "order_made",
    "recommendation_made",
    "unopposed",
)
STATUS_TAGS = {
    "done": ("Done", "green"),
    "upcoming": ("Coming up", "blue"),
    "overdue": ("Overdue", "red"),
    "unknown": ("Not known yet", "grey"),
    "flagged": ("Flagged", "orange"),
    "estimate": ("Estimate", "light-blue"),
    "open": ("Open", "blue"),
    "breached": ("Breached", "red"),
    "met": ("Met", "green"),
    "cancelled": ("No longer applies", "grey"),
}


def user_of(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


async def case_for(request: Request, reference: str, action: str) -> tuple[CurrentUser, Disagreement]:
    """The case if this user may see it (404 otherwise, as if missing), then the permission (403)."""
    user = user_of(request)
    case = await find_case(user, reference)
    if case is None:
        raise NotFound("Case not found")
    if not access.role_may(user, action):
        raise Refused(access.refusal(action))
    return user, case


def read_dates(
    values: dict[str, str], labels: dict[str, str], errors: dict[str, str], required: tuple[str, ...] = ()
) -> dict[str, dt.date | None]:
    """GOV.UK date inputs to dates; a bad or missing required date goes into `errors` under its day box."""
    found: dict[str, dt.date | None] = {}
    for name, label in labels.items():
        iso, error = date_from_fields(values, name, label)
        if error:
            errors[f"{name}-day"] = error
        elif iso is None and name in required:
            errors[f"{name}-day"] = f"Enter the {label[0].lower()}{label[1:]}"
        found[name] = dt.date.fromisoformat(iso) if iso else None
    return found


def date_values(prefix: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {}
    return {
        f"{prefix}-day": str(value.day),
        f"{prefix}-month": str(value.month),
        f"{prefix}-year": str(value.year),
    }


def base_context(user: CurrentUser, case: Disagreement) -> dict:
    allowed = set(case.allowed_events)
    return {
        "case": case,
        "reference": case.reference,
        "status_tags": STATUS_TAGS,
        "can": {e: e in allowed and access.may(user, e, case) for e in TRIBUNAL_EVENTS},
        "user_org": user.organisation_id,
        "law": law,
    }


@get("/cases/{reference:str}/tribunal", name="tribunal_tracker", opt={"action": "view_tribunal"})
async def tribunal_tracker(request: Request, reference: FromPath[str]) -> Template:
    user, case = await case_for(request, reference, "view_tribunal")
    view = await tribunal_view(case, user)
    return Template(
        "tribunal/tracker.html",
        context={**base_context(user, case), "view": view, "title": f"Tribunal appeal for case {reference}"},
    )


@get("/tribunal/compliance", name="tribunal_compliance", opt={"action": "view_compliance"})
async def tribunal_compliance(request: Request) -> Template:
    user = user_of(request)
    breached_only = request.query_params.get("show") == "breached"
    view = await compliance(user, breached_only=breached_only)
    titles = {
        "admin": "Tribunal orders by local authority",
        "la_coordinator": "Tribunal appeals: what your local authority owes",
        "health_commissioner": "Tribunal recommendations: what your board owes",
    }
    return Template(
        "tribunal/compliance.html",
        context={
            "view": view,
            "title": titles[user.role],
            "role": user.role,
            "breached_only": breached_only,
            "status_tags": STATUS_TAGS,
            "today": timekeeping.today(),
        },
    )


ROUTES = [tribunal_tracker, tribunal_compliance]
