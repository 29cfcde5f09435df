"""`/home`: where everyone lands after signing in. Families see their cases, drafts and notices; staff
see their organisation's case queue; admins their tools. It reads from cases, lodging and notices, and
nothing imports it, so those capabilities never import each other through it."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation import access
from mediation.cases.family_view import family_cases
from mediation.cases.queue import RISK_LABELS, QueuePage, queue_page, read_cursor
from mediation.cases.queue_pages import QUEUE_VIEWS, queue_filters, queue_query
from mediation.errors import Invalid, Refused
from mediation.lodging.service import open_drafts
from mediation.notices.reading import list_notices
from mediation.rules.lifecycle import STATES
from mediation.rules.routing import DECISION_LABELS
from mediation.settings import settings
from mediation.web.auth import current_user

STAFF_HOME = {
    "la_coordinator": (
        "Local authority case queue",
        "Disagreements about decisions made by your local authority.",
    ),
    "health_commissioner": (
        "Health commissioner case queue",
        "Disagreements where your integrated care board is a party: health-only cases you arrange, "
        "and mixed cases the local authority arranges with you attending.",
    ),
    "mediator": ("Mediation case list", "Cases assigned to your mediation service."),
}


@get("/home", name="home", opt={"action": "signed_in"})
async def home(request: Request) -> Template:
    user = current_user(request)
    assert user is not None
    context = {"decision_labels": DECISION_LABELS, "risk_labels": RISK_LABELS, "errors": {}}
    if user.role == "admin":
        return Template("home/admin.html", context={**context, "mailbox": settings.mailbox})
    if user.role == "family":
        return Template(
            "home/family.html",
            context={
                **context,
                "cases": await family_cases(user),
                "drafts": await open_drafts(user),
                "notices": await list_notices(user, limit=20),
            },
        )
    if user.role not in STAFF_HOME:
        raise Refused("Your account has no landing page")
    title, intro = STAFF_HOME[user.role]
    filters, view, errors = queue_filters(request.query_params)
    page = QueuePage(cases=[])
    if not errors:
        try:
            page = await queue_page(
                user,
                filters,
                after=read_cursor(request.query_params.get("after"), field="after"),
                before=read_cursor(request.query_params.get("before"), field="before"),
            )
        except Invalid as exc:  # a page link cut short or edited: not a field to correct
            errors = {"detail": exc.detail}
    query = queue_query(filters, view)
    return Template(
        "home/staff.html",
        context={
            **context,
            "cases": page.cases,
            "page": page,
            "query": query,
            "title": title,
            "intro": intro,
            "filters": filters,
            "view": view,
            "views": QUEUE_VIEWS,
            "may_view_outbox": access.role_may(user, "view_outbox"),
            "errors": errors,
            "states": STATES,
            "empty_text": "No cases match these filters." if filters.any() else "There are no cases.",
        },
        status_code=400 if errors else 200,
    )


ROUTES = [home]
