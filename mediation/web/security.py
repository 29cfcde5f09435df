"""Security headers on every response, with a per-request nonce for GOV.UK's one inline script."""

from __future__ import annotations

import secrets

from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mediation.settings import settings


class SecurityHeadersMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        is_asset = scope["path"].startswith(("/assets/", "/static/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = (
                    "default-src 'self'; "
                    f"script-src 'self' 'nonce-{nonce}'; "
                    "style-src 'self'; img-src 'self' data:; font-src 'self'; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
                )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if not is_asset:
                    # Pages carry children's data: never keep them in shared or back-button caches.
                    headers["Cache-Control"] = "no-store"
                if settings.secure_cookies:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        await next_app(scope, receive, send_with_headers)
