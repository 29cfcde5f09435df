"""Errors as people see them: JSON `detail` under /api, a GOV.UK page elsewhere, never a stack trace."""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandler

from mediation.errors import ServiceError, TooManyRequests
from mediation.web.auth import CHANGE_PASSWORD_PATH, PasswordChangeRequired
from mediation.web.csrf import CSRF_REFUSED
from mediation.web.log_redaction import redact_url
from mediation.web.system import forget_reachable

log = logging.getLogger(__name__)

TITLES = {
    400: "There is a problem with your request",
    401: "Sign in to continue",
    403: "You do not have permission to see this page",
    404: "Page not found",
    409: "This cannot be done now",
    422: "There is a problem with what was sent",
    405: "This action is not available here",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
UNAVAILABLE_DETAIL = (
    "The service cannot reach its database at the moment, so this request may not have been saved. "
    "Try again in a minute: resending a request with the same Idempotency-Key is safe."
)
RETRY_AFTER_SECONDS = "30"
# PostgreSQL SQLSTATEs that mean "the database is not there right now", not "your request is wrong":
# class 08 (connection exception), 57P01-57P05 (shutting down, crashed, starting up), class 53
# (insufficient resources: too many connections, disk full, out of memory).
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53")
_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}
# asyncpg's InterfaceError is mostly a programming error; these messages are a connection gone away.
_CLOSED_MESSAGES = ("connection is closed", "pool is closing", "pool is closed", "connection was closed")
# SQLite: another process holds the write lock for longer than the busy timeout, or the file is gone.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/health", "/schema"))


def _validation_detail(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in extra:
        if isinstance(item, dict):
            key = item.get("key") or item.get("source") or ""
            message = item.get("message") or ""
            parts.append(f"{key}: {message}" if key else str(message))
    return "; ".join(parts) or exc.detail


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = _validation_detail(exc) if isinstance(exc, ValidationException) else exc.detail
    if is_api(request):
        return Response(
            {"status_code": status, "detail": detail}, status_code=status, media_type=MediaType.JSON
        )
    if isinstance(exc, PasswordChangeRequired):
        return Redirect(CHANGE_PASSWORD_PATH, status_code=303)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/sign-in?next={quote(target, safe='')}")
    return error_page(status, detail, headers=exc.headers, csrf=detail == CSRF_REFUSED)


def error_page(
    status: int, detail: str, *, headers: dict[str, str] | None = None, csrf: bool = False
) -> Template:
    """The GOV.UK error page, the same for a Litestar refusal and a service's (`service_error_handler`)."""
    title = "This form could not be sent" if csrf else TITLES.get(status, "There is a problem")
    return Template(
        "errors/error.html",
        context={"status": status, "title": title, "detail": detail, "csrf": csrf},
        status_code=status,
        headers=headers,
    )


def unprocessable(request: Request, exc: ValidationException) -> Response:
    """A body that does not match the schema, on endpoints whose contract says 422 for a bad field."""
    detail = _validation_detail(exc)
    return Response({"status_code": 422, "detail": detail}, status_code=422, media_type=MediaType.JSON)


# A route's `exception_handlers` where the contract says 422 for a body Litestar cannot decode (lodging and
# case events), so the capability's API module names no Litestar exception.
UNDECODABLE_BODY_IS_422: dict[int | type[Exception], ExceptionHandler] = {ValidationException: unprocessable}


def service_error_handler(request: Request, exc: ServiceError) -> Response:
    """The one place a refused change becomes HTTP: JSON `detail` (and the field messages) under /api, a
    GOV.UK error page elsewhere (pages that show a form catch these themselves, to redraw it)."""
    status = exc.status_code
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if is_api(request):
        return Response(
            {"status_code": status, "detail": exc.detail, "errors": exc.errors},
            status_code=status,
            media_type=MediaType.JSON,
            headers=headers,
        )
    return error_page(status, exc.detail, headers=headers)


def database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached (down, restarting, out of connections, locked): a 503, not a 500.

    Follows the exception's cause and context, since Piccolo and the drivers wrap each other's errors.
    """
    seen: BaseException | None = exc
    hops = 0
    while seen is not None and hops < 10:
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(seen, (ConnectionError, TimeoutError, socket.gaierror)):
            return True
        if isinstance(seen, OSError) and (
            seen.errno in _CONNECTION_ERRNOS or str(seen).startswith("Multiple exceptions: ")
        ):
            return True  # asyncio's create_connection, one attempt per address of the host
        if type(seen).__name__ == "InterfaceError" and any(m in str(seen).lower() for m in _CLOSED_MESSAGES):
            return True
        if isinstance(seen, sqlite3.OperationalError) and str(seen).lower().startswith(_SQLITE_UNAVAILABLE):
            return True
        seen = seen.__cause__ or seen.__context__
        hops += 1
    return False


def unavailable_response(request: Request) -> Response:
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if is_api(request):
        return Response(
            {"status_code": 503, "detail": UNAVAILABLE_DETAIL},
            status_code=503,
            media_type=MediaType.JSON,
            headers=headers,
        )
    return error_page(503, "", headers=headers)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    path = redact_url(request.app, request.url.path)  # never a booking-offer or confirmation link in full
    if database_unavailable(exc):
        # Expected during a database restart or failover: one line, not a stack trace per request.
        log.warning("database unavailable on %s %s: %s: %s", request.method, path, type(exc).__name__, exc)
        forget_reachable()  # /health says so on its next probe, not a second later
        return unavailable_response(request)
    log.exception("unhandled error on %s %s", request.method, path, exc_info=exc)
    status = HTTP_500_INTERNAL_SERVER_ERROR
    if is_api(request):
        return Response(
            {
                "status_code": status,
                "detail": "Something went wrong on our side; nothing you sent has been lost.",
            },
            status_code=status,
        )
    return error_page(status, "")
