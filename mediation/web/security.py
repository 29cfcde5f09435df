"""Security headers on every response, with a per-request nonce for GOV.UK's one inline script.

`security_headers` is a Litestar `before_send` hook, so it runs on the app's own `send`: every response
carries the headers, including the 404/405 that routing raises and the 401 that the token middleware
raises, which no app middleware sees. The nonce is made when a template first asks for it
(`csp_nonce(request)` in base.html), so any page, an error page included, can run its inline script.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any

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


FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
NO_STORE = ("Cache-Control", "no-store")  # pages carry children's data: no shared or back-button caches
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
ASSET_PATHS = ("/assets/", "/static/")
_CSP = b"content-security-policy"
_CSP_WITHOUT_NONCE = content_security_policy(None).encode("latin-1")


@functools.cache
def _fixed(no_store: bool, hsts: bool) -> tuple[frozenset[bytes], tuple[tuple[bytes, bytes], ...]]:
    """The headers every response gets, encoded once: the names they replace and the (name, value) pairs."""
    pairs = [*FIXED_HEADERS, *([NO_STORE] if no_store else []), *([HSTS] if hsts else [])]
    encoded = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs)
    return frozenset({_CSP, *(name for name, _ in encoded)}), encoded


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    nonce = scope.get("state", {}).get(NONCE_KEY)
    csp = content_security_policy(nonce).encode("latin-1") if isinstance(nonce, str) else _CSP_WITHOUT_NONCE
    replaced, fixed = _fixed(not scope.get("path", "").startswith(ASSET_PATHS), settings.secure_cookies)
    # One pass over the response's headers (each MutableScopeHeaders assignment scanned them all again):
    # ours replace any of the same name, the rest stay as the handler set them.
    headers = [pair for pair in message.get("headers", ()) if bytes(pair[0]).lower() not in replaced]
    headers.append((_CSP, csp))
    headers.extend(fixed)
    message["headers"] = headers
