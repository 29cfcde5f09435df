"""An honest OpenAPI document: the JSON API only (pages are HTML for people, not an API), and on each
operation the refusals it can really answer, with the JSON body every refusal has (web/errors.py).

`HonestSchema` (an app plugin) runs `document` over the app's route handlers as the app is built, so a
new API route is documented without a line of its own; `tests/edge/test_openapi_fuzz.py` holds the
document to what the server does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Router
from litestar.config.app import AppConfig
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import InitPluginProtocol

from mediation import access

API_PREFIXES = ("/api/", "/health")


class ErrorBody(msgspec.Struct):
    """Every refusal: the status again, a sentence for the person who sent it, and (for a refused field)
    each field's own message."""

    status_code: int
    detail: str
    errors: dict[str, str] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


REFUSALS = {
    400: "The request cannot be read: malformed or too deeply nested JSON, a bad parameter",
    401: "No valid API token or session: sign in or send `Authorization: Bearer <token>`",
    403: "Your role may not do this",
    404: "No such case or record, or not yours to see",
    409: "It cannot happen now (the case's state, or someone else changed it first)",
    413: "The JSON body is too large",
    422: "A field is missing, malformed or impossible; `errors` names each field",
}


def _statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    action = handler.opt.get("action")
    known = isinstance(action, str) and action in access.PERMISSIONS
    anonymous = known and access.permission(str(action)).anonymous
    statuses = {400}
    if not anonymous:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if handler.http_methods & {"POST", "PUT", "PATCH"}:
        statuses |= {413, 422}
        if not anonymous:
            statuses |= {404, 409}
    return statuses


def document(handlers: Iterable[Any]) -> None:
    """Pages out of the schema; each API operation's refusals in it."""
    for handler in handlers:
        if isinstance(handler, Router):  # the service router (app.py): its routes hold copies of handlers
            document(h for route in handler.routes for h in getattr(route, "route_handlers", ()))
            continue
        if not isinstance(handler, HTTPRouteHandler):
            continue
        paths = sorted(handler.paths)
        if not any(path.startswith(API_PREFIXES) for path in paths):
            handler.include_in_schema = False
            continue
        declared = dict(handler.responses or {})
        for status in sorted(set().union(*(_statuses(handler, path) for path in paths))):
            declared.setdefault(status, _spec(REFUSALS[status]))
        handler.responses = declared


class HonestSchema(InitPluginProtocol):
    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        document(app_config.route_handlers)
        return app_config
