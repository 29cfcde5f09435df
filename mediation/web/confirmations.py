"""What a save just did, shown once on the page it redirects to (post/redirect/get) in a GOV.UK success
banner. The handler names what it saved in a sentence of its own; the sentence travels in the server-side
session, never in the address, so no link can make the service announce something it did not do."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

CONFIRMATION_KEY = "confirmation"


def confirm(connection: ASGIConnection[Any, Any, Any, Any], message: str) -> None:
    """Say `message` on the next page this browser opens. A request without a session (an API token, or
    nobody signed in) has no next page to show it on, so nothing is kept."""
    session = connection.scope.get("session")
    if isinstance(session, dict) and session:
        connection.set_session({**session, CONFIRMATION_KEY: message})


def take_confirmation(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The confirmation waiting for this page, once: it is gone from the session after this."""
    session = connection.scope.get("session")
    if not isinstance(session, dict) or CONFIRMATION_KEY not in session:
        return ""
    rest = dict(session)
    message = rest.pop(CONFIRMATION_KEY)
    connection.set_session(rest)
    return str(message)
