"""CSRF tokens bound to the server-side session.

Litestar's CSRF middleware is a double-submit cookie: any cookie and form token that match are accepted,
so a pair the attacker minted on their own visit and planted in a victim's browser (a sibling subdomain,
a network attacker on plain HTTP) passed. Here, once a session holds data (someone signed in), it also
holds a random CSRF secret of its own, and the only token accepted for it is an HMAC of that secret
under SECRET_KEY: a token from any other session, or from an anonymous visit, is refused with a 403.
Signing in starts a new session, so the secret and the token change with it (with the session id).

Anonymous forms (sign in, register) have no session to bind to (anonymous visitors get no session
row): they keep the signed double-submit cookie. So that a planted pair cannot sign a victim in to the
attacker's account either (login CSRF), every unsafe request a browser marks as coming from another
site or origin (`Origin` naming another host, or `Sec-Fetch-Site: cross-site`/`same-site`) is refused
before any token is looked at; clients that send neither header (scripts, API callers) are unaffected.
The `csrftoken` cookie always carries the token that is valid for the request's session, so API callers
that copy it into `X-CSRFToken` keep working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from secrets import compare_digest
from typing import Any
from urllib.parse import urlsplit

from litestar.datastructures import Headers
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, CSRFMiddleware, generate_csrf_token
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from mediation.settings import settings

CSRF_SESSION_KEY = "_csrf_secret"
CSRF_REFUSED = (
    "The form's security token (CSRF) is missing or belongs to another session. "
    "Go back, reload the page and try again."
)


_BOUND_TOKEN = re.compile(r"[0-9a-f]{64}")


def from_another_site(headers: Headers, own_hosts: frozenset[str]) -> bool:
    """True when the browser says the request was sent by a page of another origin: `Origin` with another
    host (or "null", an opaque origin), or `Sec-Fetch-Site` other than same-origin/none. Hosts compare
    without the scheme, since a TLS-terminating proxy makes the app see http for an https page."""
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in {"same-origin", "none"}:
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    host = urlsplit(origin).netloc.lower() if origin != "null" else ""
    return host not in own_hosts


def session_secret(session: Any) -> str | None:
    secret = session.get(CSRF_SESSION_KEY) if isinstance(session, dict) else None
    return secret if isinstance(secret, str) and secret else None


def give_secret(session: Any) -> None:
    """A session that holds data and no CSRF secret yet gets one (a new sign-in, or a session from before
    tokens were bound)."""
    if isinstance(session, dict) and session and session_secret(session) is None:
        session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)


class SessionBoundCSRFMiddleware(CSRFMiddleware):
    def bound_token(self, secret: str) -> str:
        return hmac.new(
            self.config.secret.encode(), f"session-csrf|{secret}".encode(), hashlib.sha256
        ).hexdigest()

    def _anonymous_token(self, token: str | None) -> str | None:
        """The token itself if it is a signed double-submit token of ours (not a session-bound one)."""
        if token and len(token) > CSRF_SECRET_LENGTH and self._decode_csrf_token(token) is not None:
            return token
        return None

    def _anonymous_pair(self, submitted: str, cookie: str) -> bool:
        """Without a session: the signed double-submit pair, or the token of a session that has since
        ended (the form was open when it expired) still in its cookie. Either way the request goes on as
        anonymous, so the sign-in page can say "sign in to continue" rather than refuse the form."""
        if self._csrf_tokens_match(submitted, cookie):
            return True
        return bool(_BOUND_TOKEN.fullmatch(submitted)) and compare_digest(submitted, cookie)

    async def _submitted_token(self, scope: Scope, receive: Receive) -> tuple[str, str | None, str | None]:
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        submitted = request.headers.get(self.config.header_name)
        content_type, _ = request.content_type
        if not submitted and content_type in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            form = await request.form()
            value = form.get("_csrf_token", None)
            submitted = value if isinstance(value, str) else None
        return request.method, submitted, request.cookies.get(self.config.cookie_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or should_bypass_middleware(
            scope=scope,
            scopes=self.scopes,
            exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in self.config.safe_methods:
            headers = Headers.from_scope(scope)
            own = frozenset(
                h for h in (headers.get("host", "").lower(), urlsplit(settings.base_url).netloc) if h
            )
            if from_another_site(headers, own):
                raise PermissionDeniedException(CSRF_REFUSED)
        method, submitted, cookie = await self._submitted_token(scope, receive)
        session = scope.get("session")
        bound = session_secret(session)
        if method in self.config.safe_methods:
            token = self.bound_token(bound) if bound else self._anonymous_token(cookie)
            token = token or generate_csrf_token(secret=self.config.secret)
        elif not submitted:
            raise PermissionDeniedException(CSRF_REFUSED)
        elif bound:
            if not compare_digest(submitted, self.bound_token(bound)):
                raise PermissionDeniedException(CSRF_REFUSED)
            token = submitted
        elif cookie is not None and self._anonymous_pair(submitted, cookie):
            token = submitted
        else:
            raise PermissionDeniedException(CSRF_REFUSED)
        if bound is None:
            give_secret(session)  # a session from before binding: accepted once, bound from now on
            if session_secret(session):
                token = self.bound_token(session_secret(session))  # type: ignore[arg-type]
        ScopeState.from_scope(scope).csrf_token = token
        await self.app(scope, receive, self._cookie_sender(scope, send, cookie))

    def _cookie_sender(self, scope: Scope, send: Send, cookie: str | None) -> Send:
        """Set the `csrftoken` cookie to the token that the session has once the handler is done (a sign-in
        binds a new one; a sign-out goes back to an anonymous one)."""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope.get("session")
                give_secret(session)
                bound = session_secret(session)
                if bound:
                    wanted = self.bound_token(bound)
                else:
                    current = ScopeState.from_scope(scope).csrf_token
                    wanted = (
                        self._anonymous_token(cookie)
                        or self._anonymous_token(current if isinstance(current, str) else None)
                        or generate_csrf_token(secret=self.config.secret)
                    )
                if wanted != cookie:
                    message.setdefault("headers", [])
                    self._set_cookie_if_needed(message=message, token=wanted)
            await send(message)

        return send_with_cookie
