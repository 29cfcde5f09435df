"""What every case page starts from: the signed-in user, their case (404 when it is not theirs to see, the
same as a missing one), and a GOV.UK date field read into the form's errors."""

from __future__ import annotations

import datetime as dt

from litestar import Request

from mediation import access
from mediation.cases.model import Disagreement
from mediation.cases.repository import find_case
from mediation.errors import NotFound, Refused
from mediation.identity import CurrentUser
from mediation.web.auth import current_user
from mediation.web.forms import date_from_fields


def user_of(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    return user


async def visible_case(request: Request, reference: str) -> Disagreement:
    case = await find_case(user_of(request), reference)
    if case is None:
        raise NotFound("Case not found")
    return case


def date_of(values: dict[str, str], field: str, label: str, errors: dict[str, str]) -> dt.date | None:
    iso, error = date_from_fields(values, field, label)
    if error:
        errors[f"{field}-day"] = error
    return dt.date.fromisoformat(iso) if iso else None


def require(user: CurrentUser, action: str, case: Disagreement) -> None:
    """A page's own permission check before it shows a form: the role and the relation to the case."""
    if not access.may(user, action, case):
        raise Refused(access.refusal(action))
