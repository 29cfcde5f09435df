"""Signed, expiring links (email confirmation): HMAC-SHA256 over the purpose, the account and the expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from mediation.settings import settings


def _sign(payload: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(
    purpose: str, subject: str, *, valid_for_seconds: int = 48 * 3600, now: float | None = None
) -> str:
    expires = int((time.time() if now is None else now) + valid_for_seconds)
    payload = f"{purpose}:{subject}:{expires}"
    body = base64.urlsafe_b64encode(f"{subject}:{expires}".encode()).decode().rstrip("=")
    return f"{body}.{_sign(payload)}"


def read_token(purpose: str, token: str, *, now: float | None = None) -> str | None:
    """The subject the token was made for, or None if it is forged, for another purpose or expired."""
    try:
        body, signature = token.split(".", 1)
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        subject, expires_text = decoded.rsplit(":", 1)
        expires = int(expires_text)
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(_sign(f"{purpose}:{subject}:{expires}"), signature):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return subject
