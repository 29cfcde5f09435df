"""Letters for families without email: rendered to an A4 PDF and stored for the print queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from mediation.db import transaction
from mediation.notify import case_facts
from mediation.notify.pdf import write_pdf
from mediation.notify.tables import DeliveryStatus, LetterFile, Notification

LONDON = ZoneInfo("Europe/London")
TEMPLATE = "letters/letter.html"


@functools.cache
def _environment() -> Environment:
    from mediation.web.templating import build_environment

    return build_environment()


def _paragraphs(body_text: str) -> list[list[str]]:
    """Blank lines separate paragraphs; single line breaks are kept (lists typed as lines)."""
    blocks = body_text.replace("\r\n", "\n").split("\n\n")
    return [[line.strip() for line in block.strip().split("\n")] for block in blocks if block.strip()]


def render_letter_html(
    *,
    name: str,
    address: str,
    subject: str,
    body_text: str,
    date: dt.date,
    reference: str = "",
    enclosures: Iterable[str] = (),
    signed_by: str = "",
    large_print: bool = False,
) -> str:
    lines = [line.strip().rstrip(",") for line in address.replace("\r\n", "\n").split("\n")]
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            name=name,
            address_lines=[line for line in lines if line],
            subject=subject,
            paragraphs=_paragraphs(body_text),
            date=date,
            reference=reference,
            enclosures=list(enclosures),
            signed_by=signed_by,
            large_print=large_print,
        )
    )


def render_letter_pdf(
    *,
    name: str,
    address: str,
    subject: str,
    body_text: str,
    date: dt.date,
    reference: str = "",
    enclosures: Iterable[str] = (),
    signed_by: str = "",
    large_print: bool = False,
) -> bytes:
    """A4 PDF bytes, tagged PDF/UA (`notify/pdf.py`); in large print when the family asked for it."""
    html = render_letter_html(
        name=name,
        address=address,
        subject=subject,
        body_text=body_text,
        date=date,
        reference=reference,
        enclosures=enclosures,
        signed_by=signed_by,
        large_print=large_print,
    )
    return write_pdf(html)


def _enclosures(attachments: Any) -> list[str]:
    items = json.loads(attachments) if isinstance(attachments, str) else (attachments or [])
    return [str(item.get("filename", "")) for item in items if isinstance(item, Mapping)]


async def _case_of(disagreement_id: int | None) -> tuple[str, str, bool]:
    """The case's reference, the name of the body handling it, who signs the letter ('' for none), and
    whether the family asked for large print letters."""
    if disagreement_id is None:
        return "", "", False
    from mediation.organisations.tables import Organisation

    case = await case_facts.reader().letter_heading(disagreement_id)
    if case is None:
        return "", "", False
    row = await Organisation.select(Organisation.name).where(Organisation.id == case.signing_body_id).first()
    return case.reference, row["name"] if row else "", case.large_print


async def print_letter(row: Mapping[str, Any], now: dt.datetime) -> bool:
    """Render a claimed letter and put it in the print queue ('printed').

    False if this worker lost its claim meanwhile (another worker reclaimed the row), in which case
    nothing is stored: the attempts number fences out the slower worker.
    """
    reference, signed_by, case_large_print = await _case_of(row.get("disagreement_id"))
    asked = await Notification.select(Notification.large_print).where(Notification.id == row["id"]).first()
    pdf = await asyncio.to_thread(
        functools.partial(
            render_letter_pdf,
            name=row["recipient_name"],
            address=row["postal_address"],
            subject=row["subject"],
            body_text=row["body_text"],
            date=now.astimezone(LONDON).date(),
            reference=reference,
            enclosures=_enclosures(row.get("attachments")),
            signed_by=signed_by,
            large_print=bool(case_large_print or (asked and asked["large_print"])),
        )
    )
    # One transaction: the PDF and the status change land together, so a letter is never half-queued.
    async with transaction():
        claimed = (
            await Notification.update(
                {
                    Notification.status: DeliveryStatus.printed.value,
                    Notification.sent_at: now,
                    Notification.last_error: "",
                }
            )
            .where(
                (Notification.id == row["id"])
                & (Notification.status == DeliveryStatus.sending.value)
                & (Notification.attempts == row["attempts"])
            )
            .returning(Notification.id)
        )
        if not claimed:
            return False
        await LetterFile.insert(LetterFile(notification=row["id"], pdf=pdf))
    return True
