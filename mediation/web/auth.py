"""Who is making the request (session or API token) and the guards that decide who may enter a route."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Empty, Receive, Scope, Send

from mediation import access, timekeeping
from mediation.accounts import api_tokens
from mediation.accounts.service import load_user
from mediation.accounts.tables import Account
from mediation.identity import CurrentUser
from mediation.web.csrf import SessionBoundCSRFMiddleware
from mediation.web.sessions import ROTATE_FLAG

SESSION_USER_KEY = "account_id"
# The account's `session_epoch` when the session began; sessions from before the key existed hold none (0).
SESSION_EPOCH_KEY = "session_epoch"
# What the pages need of the person (a CurrentUser's fields) and when the account was last read for it:
# a signed-in request is served from the session, with no account query, until the snapshot is
# USER_RECHECK_SECONDS old; then one query re-reads the account (still active, same session generation)
# and refreshes it. Disabling an account deletes its sessions at once (`end_sessions_of`); a password
# change or reset elsewhere, or a role change, reaches other sessions within USER_RECHECK_SECONDS. Kept
# in the session store, not in the process, so any worker serves any request alike.
SESSION_SNAPSHOT_KEY = "user"
SESSION_CHECKED_KEY = "user_checked_at"
USER_RECHECK_SECONDS = 30
INVALID_TOKEN = "The API token is not valid or has been revoked"
CHANGE_PASSWORD_PATH = "/account/password"
MUST_CHANGE_PASSWORD = "Change your temporary password before you continue"
# What a person signed in with a temporary password may still reach: the change page and signing out
# (route handler names), and the public assets.
WHILE_PASSWORD_MUST_CHANGE = frozenset({"change_password", "change_password_submit", "sign_out"})


class PasswordChangeRequired(PermissionDeniedException):
    """A session of an account that must change its temporary password asked for another page: pages
    are sent to the change page (`web/errors.py`), the API gets a 403 saying why."""


async def begin_session(connection: ASGIConnection[Any, Any, Any, Any], account_id: int) -> None:
    """Sign this person in on this request: a new session id (the old one, if any, is deleted, so a
    planted id is worthless), holding the account and its current session generation."""
    row = await Account.select(Account.session_epoch).where(Account.id == account_id).first()
    epoch = int(row["session_epoch"] or 0) if row else 0
    user = await load_user(account_id, session_epoch=epoch)
    connection.clear_session()
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True
    data: dict[str, Any] = {SESSION_USER_KEY: account_id, SESSION_EPOCH_KEY: epoch}
    if user is not None:
        _remember(data, user)
    connection.set_session(data)


def _remember(session: dict[str, Any], user: CurrentUser) -> None:
    session[SESSION_SNAPSHOT_KEY] = msgspec.to_builtins(user)
    session[SESSION_CHECKED_KEY] = timekeeping.wall_clock().timestamp()


def _remembered(session: dict[str, Any]) -> CurrentUser | None:
    """The session's snapshot of the person while it is fresh (and is the session's own account)."""
    checked = session.get(SESSION_CHECKED_KEY)
    if not isinstance(checked, int | float):
        return None
    age = timekeeping.wall_clock().timestamp() - checked
    if not 0 <= age < USER_RECHECK_SECONDS:
        return None
    try:
        user = msgspec.convert(session.get(SESSION_SNAPSHOT_KEY), CurrentUser)
    except msgspec.ValidationError:
        return None
    return user if user.id == session.get(SESSION_USER_KEY) else None


async def session_user(session: dict[str, Any]) -> CurrentUser | None:
    """The signed-in person of a session: from its snapshot while fresh, else re-read (and remembered)."""
    user = _remembered(session)
    if user is not None:
        return user
    epoch = session.get(SESSION_EPOCH_KEY, 0)
    epoch = epoch if isinstance(epoch, int) else -1  # not one this service wrote: no match
    user = await load_user(session[SESSION_USER_KEY], session_epoch=epoch)
    if user is not None:
        _remember(session, user)
    return user


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer <token>` header ("" if empty), or None without one."""
    header = Headers.from_scope(scope).get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class CurrentUserMiddleware(ASGIMiddleware):
    """Loads the person from an API token (`Authorization: Bearer`) or else from the server-side session.

    Anonymous requests get user None; a request with a Bearer token that is not valid is refused (401), and
    never falls back to the session.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        user: CurrentUser | None = None
        auth: api_tokens.ApiTokenAuth | None = None
        token = bearer_token(scope)
        if token is not None:
            auth = await api_tokens.authenticate(token)
            if auth is None:
                raise NotAuthorizedException(INVALID_TOKEN)
            user = auth.user
        else:
            session = scope.get("session")
            if isinstance(session, dict) and isinstance(session.get(SESSION_USER_KEY), int):
                user = await session_user(session)
                if user is None:
                    # Ended by a password change or reset elsewhere, or the account was switched off:
                    # the session is dropped (the store deletes it, the cookie expires): anonymous now.
                    scope["session"] = Empty
        scope["user"] = user
        scope["auth"] = auth
        await next_app(scope, receive, send)


class TokenAwareCSRFMiddleware(SessionBoundCSRFMiddleware):
    """The session-bound CSRF check (`web/csrf.py`), except for requests already authenticated by an API
    token.

    A browser cannot add an `Authorization` header to a cross-site request without CORS (never granted), so
    a token request cannot be forged; cookie-session requests are checked exactly as before. Wire it after
    `CurrentUserMiddleware`, which sets `scope["auth"]`: placed earlier, every token request would simply
    need a CSRF token (it fails closed).
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if isinstance(scope.get("auth"), api_tokens.ApiTokenAuth):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def authorise(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The one route guard: each handler declares the action it performs (`opt={"action": ...}`), and
    `access.PERMISSIONS` says which roles may take it. Relations to a case (the arranging body, the body a
    clock is owed by) are checked where the case is, by the case event service."""
    action = handler.opt.get("action")
    if not isinstance(action, str):
        raise PermissionDeniedException("This page has no declared action")  # the matrix test prevents it
    rule = access.permission(action)
    user = current_user(connection)
    if user is None:
        if not rule.anonymous:
            raise NotAuthorizedException("Sign in to continue")
        return
    if user.role not in rule.roles:
        raise PermissionDeniedException(rule.says)
    if (
        user.must_change_password
        and connection.scope.get("auth") is None  # an API token is its own credential, not the password
        and handler.name not in WHILE_PASSWORD_MUST_CHANGE
        and action != "public"
    ):
        raise PasswordChangeRequired(MUST_CHANGE_PASSWORD)
