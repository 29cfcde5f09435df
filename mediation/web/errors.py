"""Errors as people see them: JSON `detail` under /api, a GOV.UK page elsewhere, never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from mediation.errors import ServiceError
from mediation.web.log_redaction import redact_url

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
}


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
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/sign-in?next={quote(target, safe='')}")
    return Template(
        "errors/error.html",
        context={"status": status, "title": TITLES.get(status, "There is a problem"), "detail": detail},
        status_code=status,
        headers=exc.headers,
    )


def unprocessable(request: Request, exc: ValidationException) -> Response:
    """A body that does not match the schema, on endpoints whose contract says 422 for a bad field."""
    detail = _validation_detail(exc)
    return Response({"status_code": 422, "detail": detail}, status_code=422, media_type=MediaType.JSON)


def service_error_handler(request: Request, exc: ServiceError) -> Response:
    """The one place a refused change becomes HTTP: JSON `detail` (and the field messages) under /api, a
    GOV.UK error page elsewhere (pages that show a form catch these themselves, to redraw it)."""
    status = exc.status_code
    if is_api(request):
        return Response(
            {"status_code": status, "detail": exc.detail, "errors": exc.errors},
            status_code=status,
            media_type=MediaType.JSON,
        )
    return Template(
        "errors/error.html",
        context={"status": status, "title": TITLES.get(status, "There is a problem"), "detail": exc.detail},
        status_code=status,
    )


def internal_error_handler(request: Request, exc: Exception) -> Response:
    path = redact_url(request.app, request.url.path)  # never a booking-offer or confirmation link in full
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
    return Template(
        "errors/error.html",
        context={"status": status, "title": TITLES[500], "detail": ""},
        status_code=status,
    )
