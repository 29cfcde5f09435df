"""The admin mailbox: every message the embedded mail catcher received (MAILBOX on), newest first, each
shown in full with its attachments, so a newcomer to the demo can read the mail the service sends.

Messages are shown as text: the plain-text part escaped (its web addresses made into links), the HTML
part only after the sanitiser notices use too (`web/html.py: sanitise`), its source escaped. With the
mailbox off (production) every page here is a 404 that says so: mail went to the real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup, escape

from mediation.errors import NotFound
from mediation.notify import mailbox
from mediation.notify.mailbox import header, parse
from mediation.notify.pages import _page_number
from mediation.settings import settings
from mediation.web.html import sanitise

PAGE_SIZE = 50
URL = re.compile(r"https?://[^\s<>\"']+")
TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+$")  # a media type's type or subtype (RFC 6838)


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%d %b %Y %H:%M:%S UTC")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def _off() -> Template:
    return Template("admin/mailbox_off.html", status_code=404)


def linked_text(text: str) -> Markup:
    """Plain text, escaped, with each http(s) address a link (the confirmation link, for one)."""
    out, last = [], 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        out.append(escape(text[last : match.start()]))
        out.append(Markup('<a class="govuk-link" href="{0}" rel="noreferrer">{0}</a>').format(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _content(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


@dataclass(frozen=True)
class Attachment:
    number: int  # from 1, in the order the message carries them
    filename: str
    content_type: str
    part: Message

    @property
    def payload(self) -> bytes:
        data = self.part.get_payload(decode=True)
        return data if isinstance(data, bytes) else b""


def _body(message: EmailMessage, subtype: str) -> Message | None:
    try:
        return message.get_body(preferencelist=(subtype,))
    except (KeyError, ValueError):
        return None


def _media_type(part: Message) -> str:
    maintype, subtype = part.get_content_maintype(), part.get_content_subtype()
    if TOKEN.match(maintype) and TOKEN.match(subtype):
        return f"{maintype}/{subtype}"
    return "application/octet-stream"


def attachments(message: EmailMessage) -> list[Attachment]:
    """Every leaf part that is not the text or HTML body shown, numbered from 1."""
    shown = {id(part) for part in (_body(message, "plain"), _body(message, "html")) if part is not None}
    found: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart() or id(part) in shown:
            continue
        number = len(found) + 1
        filename = " ".join(str(part.get_filename() or "").split()) or f"attachment-{number}"
        found.append(Attachment(number, filename, _media_type(part), part))
    return found


async def _message_row(message_id: int) -> dict[str, Any]:
    row = await mailbox.message(message_id)
    if row is None:
        raise NotFound("There is no such message in the mailbox")
    return row


@get("/admin/mailbox", name="admin_mailbox", opt={"action": "administer"})
async def mailbox_page(request: Request) -> Template:
    if not settings.mailbox:
        return _off()
    page = _page_number(request.query_params.get("page"))
    rows = await mailbox.messages(page=page, page_size=PAGE_SIZE)
    messages = [
        {
            "id": r["id"],
            "to": r["recipients"],
            "subject": r["subject"] or "(no subject)",
            "received_at": _when(r["received_at"]),
            "size": _size(r["size"]),
        }
        for r in rows[:PAGE_SIZE]
    ]
    return Template(
        "admin/mailbox.html",
        context={
            "messages": messages,
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "total": await mailbox.count(),
            "interval": settings.outbox_interval_seconds,
        },
    )


@get("/admin/mailbox/{message_id:int}", name="admin_mailbox_message", opt={"action": "administer"})
async def mailbox_message(message_id: FromPath[int]) -> Template:
    if not settings.mailbox:
        return _off()
    row = await _message_row(message_id)
    message = parse(bytes(row["content"]))
    text_part, html_part = _body(message, "plain"), _body(message, "html")
    html_source = _content(html_part) if html_part is not None else ""
    return Template(
        "admin/mailbox_message.html",
        context={
            "message_id": row["id"],
            "received_at": _when(row["received_at"]),
            "envelope_from": row["mail_from"],
            "envelope_to": row["recipients"],
            "headers": [(name, header(message, name)) for name in ("From", "To", "Cc", "Subject", "Date")],
            "subject": row["subject"] or "(no subject)",
            "text": linked_text(_content(text_part)) if text_part is not None else None,
            "html": Markup(sanitise(html_source)) if html_source else None,  # noqa: S704 - cleaned by nh3
            "html_source": Markup('<pre class="govuk-body-s app-mail-text">{}</pre>').format(html_source),
            "attachments": [
                {
                    "number": a.number,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": _size(len(a.payload)),
                }
                for a in attachments(message)
            ],
            "size": _size(row["size"]),
        },
    )


def content_disposition(filename: str) -> str:
    """`attachment`, with an ASCII fallback name and the real one in RFC 5987 form."""
    fallback = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "._- ")).strip()
    return f"attachment; filename=\"{fallback or 'attachment'}\"; filename*=UTF-8''{quote(filename, safe='')}"


@get(
    "/admin/mailbox/{message_id:int}/attachments/{number:int}",
    name="admin_mailbox_attachment",
    opt={"action": "administer"},
)
async def mailbox_attachment(message_id: FromPath[int], number: FromPath[int]) -> Response[bytes] | Template:
    if not settings.mailbox:
        return _off()
    row = await _message_row(message_id)
    found = [a for a in attachments(parse(bytes(row["content"]))) if a.number == number]
    if not found:
        raise NotFound("This message has no such attachment")
    attachment = found[0]
    return Response(
        attachment.payload,
        media_type=attachment.content_type,
        headers={"Content-Disposition": content_disposition(attachment.filename)},
    )


ROUTES = [mailbox_page, mailbox_message, mailbox_attachment]
