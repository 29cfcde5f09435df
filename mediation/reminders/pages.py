"""The "Reminders due" page: what the reminder sweep will send about a coordinator's cases over the next
days (reminders before a deadline, escalations after one), so nobody has to run the sweep to find out."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation import timekeeping
from mediation.reminders.upcoming import MAX_DAYS, reminders_due
from mediation.web.auth import current_user
from mediation.web.forms import whole_number

DEFAULT_DAYS = 7


@get("/reminders", name="reminders_due", opt={"action": "view_reminders_due"})
async def reminders_due_page(request: Request) -> Template:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    raw = request.query_params.get("days", "")
    days = whole_number(raw) if raw else DEFAULT_DAYS
    errors = {}
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Enter a number of days from 1 to {MAX_DAYS}"
        days = DEFAULT_DAYS
    today = timekeeping.today()
    planned = await reminders_due(user, today=today, days=days) if not errors else []
    return Template(
        "reminders/due.html",
        context={"planned": planned, "days": raw if errors else days, "errors": errors, "today": today},
        status_code=400 if errors else 200,
    )


ROUTES = [reminders_due_page]
