"""Staff views written to the audit log after the response, not before it.

Every staff view of a case or a decision notice is audited (`audit.record(action="view")`). Inside a
request the row is kept and written once the response's last byte has been handed to the server, in one
insert with the request's other views: the person never waits for it. The write still happens inside the
request's ASGI call (the server awaits it), so a normal response never loses its view; a write that fails
is logged as an error with what was lost.
"""

from __future__ import annotations

import logging

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from mediation.audit import service as audit

log = logging.getLogger(__name__)


class DeferredViewAuditMiddleware(ASGIMiddleware):
    """Outermost but for the session: the views are written after the session has been stored too."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async with audit.views_after_response() as pending:
            try:
                await next_app(scope, receive, send)
            finally:
                if pending:
                    try:
                        await audit.write_views(pending)
                    except Exception:
                        log.exception(
                            "audit: %d view(s) not written: %s",
                            len(pending),
                            "; ".join(f"{v.actor_label} {v.entity} {v.entity_id}" for v in pending),
                        )
                        raise
