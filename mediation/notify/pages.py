"""The admin outbox page: what is queued, sending, sent or failed, with attempts and the backoff.

Shows the subject (which never contains a child's name: `notify.service.check_subject`) and the
recipient, never the message body.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, get
from litestar.response import Template

from mediation.errors import BadParameter
from mediation.identity import CurrentUser
from mediation.notify import outbox
from mediation.web.auth import current_user

PAGE_SIZE = 50
# Every delivery status (`notify/tables.py: DeliveryStatus`), in the order the page lists them.
STATUS_LABELS = {
    "pending": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "printed": "Printed",
    "failed": "Failed",
}
STATUS_TAGS = {
    "pending": "govuk-tag--blue",
    "sending": "govuk-tag--yellow",
    "sent": "govuk-tag--green",
    "printed": "govuk-tag--green",
    "failed": "govuk-tag--red",
}
ERROR_SHOWN = 300  # characters of the last error on the list


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 0 < int(raw) <= 100_000:
        raise BadParameter("page must be a whole number from 1")
    return int(raw)


def _status(raw: str | None) -> str | None:
    if raw is None or raw == "" or raw == "all":
        return None
    if raw not in STATUS_LABELS:
        raise BadParameter(f"status must be one of all, {', '.join(STATUS_LABELS)}")
    return raw


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%d %b %Y %H:%M:%S UTC")


def _row(r: dict[str, Any]) -> dict[str, Any]:
    error = r["last_error"] or ""
    waiting = r["status"] in {"pending", "sending"}
    return {
        "id": r["id"],
        "status": r["status"],
        "status_label": STATUS_LABELS.get(r["status"], r["status"]),
        "status_tag": STATUS_TAGS.get(r["status"], "govuk-tag--grey"),
        "channel": "Letter" if r["channel"] == "letter" else "Email",
        "recipient": r["recipient_email"] or r["recipient_name"],
        "subject": r["subject"],
        "attempts": r["attempts"],
        "next_attempt_at": _when(r["next_attempt_at"]) if waiting else "",
        "last_error": error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…",
        "created_at": _when(r["created_at"]),
        "sent_at": _when(r["sent_at"]),
    }


async def outbox_context(request: Request, of: CurrentUser | None = None) -> dict[str, Any]:
    """The outbox list as its pages show it: every message, or only those about the cases `of` may see."""
    status = _status(request.query_params.get("status"))
    page = _page_number(request.query_params.get("page"))
    rows = await outbox.messages(status=status, page=page, page_size=PAGE_SIZE, of=of)
    return {
        "messages": [_row(r) for r in rows[:PAGE_SIZE]],
        "status": status or "all",
        "status_labels": STATUS_LABELS,
        "counts": await outbox.counts(of),
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
    }


@get("/admin/outbox", name="admin_outbox", opt={"action": "administer"})
async def outbox_page(request: Request) -> Template:
    return Template("admin/outbox.html", context=await outbox_context(request))


@get("/outbox", name="staff_outbox", opt={"action": "view_outbox"})
async def staff_outbox_page(request: Request) -> Template:
    """A coordinator's outbox: the messages about their organisation's cases only (no other body's)."""
    user = current_user(request)
    assert user is not None  # the route guard lets no anonymous visitor in
    context = await outbox_context(request, of=user)
    return Template(
        "admin/outbox.html",
        context={
            **context,
            "title": "Outbox",
            "caption": user.organisation_name,
            "intro": "The emails and letters the service has queued about your organisation's cases",
            "outbox_path": "/outbox",
            "show_retrying": True,
        },
    )


ROUTES = [outbox_page, staff_outbox_page]
