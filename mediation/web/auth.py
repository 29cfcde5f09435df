"""Who is signed in (a middleware that never refuses) and the guards that decide who may enter a route."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from mediation.accounts.service import load_user
from mediation.identity import CurrentUser

SESSION_USER_KEY = "account_id"


class CurrentUserMiddleware(ASGIMiddleware):
    """Loads the signed-in person from the server-side session; anonymous requests get user None."""

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        # Static assets never need the user: skip the database read.
        return scope["path"].startswith(("/assets/", "/static/"))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        user: CurrentUser | None = None
        session = scope.get("session")
        if isinstance(session, dict) and isinstance(session.get(SESSION_USER_KEY), int):
            user = await load_user(session[SESSION_USER_KEY])
        scope["user"] = user
        scope["auth"] = None
        await next_app(scope, receive, send)


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def requires_sign_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("Sign in to continue")


def requires_role(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        requires_sign_in(connection, handler)
        user = current_user(connection)
        if user is None or user.role not in roles:
            raise PermissionDeniedException("You do not have permission to see this page")

    guard.__name__ = f"requires_role_{'_'.join(roles)}"
    return guard


def requires_staff(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    requires_sign_in(connection, handler)
    user = current_user(connection)
    if user is None or not user.is_staff:
        raise PermissionDeniedException("You do not have permission to see this page")
