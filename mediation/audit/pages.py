"""The audit log, read-only: nothing in the app can change or delete an entry."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation.audit.tables import AuditEvent
from mediation.web.forms import whole_number

PAGE_SIZE = 100


@get("/admin/audit", name="admin_audit", opt={"action": "administer"})
async def audit_page(request: Request) -> Template:
    raw_page = request.query_params.get("page", "1")
    page = whole_number(raw_page) or 1
    rows = (
        await AuditEvent.select(
            AuditEvent.at,
            AuditEvent.actor_label,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.summary,
        )
        .order_by(AuditEvent.id, ascending=False)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    return Template(
        "admin/audit.html",
        context={"events": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE},
    )


ROUTES = [audit_page]
