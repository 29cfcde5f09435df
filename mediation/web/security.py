"""Security headers on every response, with a per-request nonce for GOV.UK's one inline script.

`security_headers` is a Litestar `before_send` hook, so it runs on the app's own `send`: every response
carries the headers, including the 404/405 that routing raises and the 401 that the token middleware
raises, which no app middleware sees. The nonce is made when a template first asks for it
(`csp_nonce(request)` in base.html), so any page, an error page included, can run its inline script.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from mediation.settings import settings

NONCE_KEY = "csp_nonce"


def csp_nonce(request: Any) -> str:
    """This response's script nonce, made on first use (templates call it)."""
    state = request.scope.setdefault("state", {})
    return str(state.setdefault(NONCE_KEY, secrets.token_urlsafe(16)))


def content_security_policy(nonce: str | None) -> str:
    scripts = f"script-src 'self' 'nonce-{nonce}'" if nonce else "script-src 'self'"
    return (
        f"default-src 'self'; {scripts}; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    nonce = scope.get("state", {}).get(NONCE_KEY)
    headers["Content-Security-Policy"] = content_security_policy(nonce if isinstance(nonce, str) else None)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not scope.get("path", "").startswith(("/assets/", "/static/")):
        # Pages carry children's data: never keep them in shared or back-button caches.
        headers["Cache-Control"] = "no-store"
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
