"""Small helpers for server-rendered forms."""

from __future__ import annotations

from litestar import Request

from mediation.errors import Conflict, NotFound, Refused, ServiceError
from mediation.web.edge import INT_MAX


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form as plain strings (the last value of a repeated field), so pages can re-show it."""
    form = await request.form()
    return {key: str(value) for key, value in form.items() if key != "_csrf_token"}


def whole_number(value: object) -> int | None:
    """A whole number typed in a form or a query (ASCII digits, no larger than an id can be), else None.
    `str.isdigit()` alone lets "²" through to `int()`, which refuses it, and a number larger than a
    database integer overflows the driver."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(INT_MAX)):
        return None
    number = int(text)
    return number if number <= INT_MAX else None


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a sign-in link cannot bounce someone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/home"


def date_from_fields(values: dict[str, str], field: str, label: str) -> tuple[str | None, str | None]:
    """Read a GOV.UK date input (field-day, field-month, field-year) as ISO text, or a specific error."""
    day, month, year = (values.get(f"{field}-{part}", "").strip() for part in ("day", "month", "year"))
    if not (day or month or year):
        return None, None
    missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return None, f"{label} must be a real date, like 27 3 2027"
    if len(year) != 4:
        return None, f"{label} year must include 4 numbers"
    import datetime as dt

    try:
        return dt.date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return None, f"{label} must be a real date"


def page_errors(exc: ServiceError) -> tuple[dict[str, str], int]:
    """A refused change as a page shows it: the field messages for the error summary, and the status.
    Refused and NotFound are not the form's to show: raised on, they become the 403 and 404 pages
    (`web/errors.py: service_error_handler`)."""
    if isinstance(exc, (Refused, NotFound)):
        raise exc
    return exc.errors, 409 if isinstance(exc, Conflict) else 400
