"""An organisation's print queue: the letters its staff print and post (families who asked for post or
gave no email), each as one PDF with its enclosures, and "posted" with the day they went in the post.

A letter is in the queue once the delivery job has rendered it ('printed') until someone marks it posted.
Only the organisation's own staff see its letters; a letter of another organisation looks exactly like a
missing one. Lists page by id (keyset), through the (organisation_id, posted_on, id) index.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.db_typing import Condition
from mediation.errors import Invalid, NotFound
from mediation.identity import CurrentUser
from mediation.notify import case_facts
from mediation.notify.letters import _environment
from mediation.notify.pdf import write_pdf
from mediation.notify.print_files import merge_pdfs, readable
from mediation.notify.tables import Channel, DeliveryStatus, LetterFile, Notification
from mediation.rules.calendar import format_long_date

LONDON = ZoneInfo("Europe/London")
PAGE_SIZE = 50
MISSING_TEMPLATE = "letters/missing_enclosure.html"
BATCH_MAX = 200  # letters in one batch download: a print run, not the whole backlog in one file


class QueuedLetter(msgspec.Struct, frozen=True):
    id: int
    recipient: str
    subject: str
    enclosures: list[str]
    reference: str
    made_on: dt.date  # the day the letter was rendered (it carries that date)
    posted_on: dt.date | None


def _queue_of(user: CurrentUser) -> Condition:
    """This organisation's rendered letters: nobody sees another organisation's queue."""
    return (
        (Notification.organisation_id == (user.organisation_id or -1))
        & (Notification.channel == Channel.letter.value)
        & (Notification.status == DeliveryStatus.printed.value)
    )


def _enclosures(raw: Any) -> list[dict[str, Any]]:
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("document_id"), int)]


def _made_on(row: dict[str, Any]) -> dt.date:
    return (row["sent_at"] or row["created_at"]).astimezone(LONDON).date()


async def _references(case_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({i for i in case_ids if i is not None})
    if not ids:
        return {}
    return await case_facts.reader().references(ids)


_COLUMNS = (
    Notification.id,
    Notification.recipient_name,
    Notification.subject,
    Notification.attachments,
    Notification.disagreement_id,
    Notification.created_at,
    Notification.sent_at,
    Notification.posted_on,
)


async def _letters(
    where: Condition, *, after: int | None, newest_first: bool, limit: int
) -> list[QueuedLetter]:
    if after is not None:
        where = where & ((Notification.id < after) if newest_first else (Notification.id > after))
    rows = await (
        Notification.select(*_COLUMNS)
        .where(where)
        .order_by(Notification.id, ascending=not newest_first)
        .limit(limit)
        .output(load_json=True)
    )
    references = await _references(r["disagreement_id"] for r in rows)
    return [
        QueuedLetter(
            id=r["id"],
            recipient=r["recipient_name"],
            subject=r["subject"],
            enclosures=[str(e["filename"]) for e in _enclosures(r["attachments"])],
            reference=references.get(r["disagreement_id"], ""),
            made_on=_made_on(r),
            posted_on=r["posted_on"],
        )
        for r in rows
    ]


async def waiting(
    user: CurrentUser, *, after: int | None = None, limit: int = PAGE_SIZE
) -> list[QueuedLetter]:
    """Letters to print and post, oldest first."""
    return await _letters(_queue_of(user) & Notification.posted_on.is_null(), after=after, newest_first=False,
                          limit=limit)  # fmt: skip


async def posted(
    user: CurrentUser, *, after: int | None = None, limit: int = PAGE_SIZE
) -> list[QueuedLetter]:
    """Letters already posted, newest first."""
    return await _letters(_queue_of(user) & Notification.posted_on.is_not_null(), after=after,
                          newest_first=True, limit=limit)  # fmt: skip


async def _print_files(letter_ids: Sequence[int]) -> dict[int, bytes]:
    """Each letter's PDF with its enclosures merged after it: three queries however many letters."""
    letters = await (
        Notification.select(Notification.id, Notification.attachments)
        .where(Notification.id.is_in(list(letter_ids)))
        .output(load_json=True)
    )
    files = await LetterFile.select(LetterFile.notification, LetterFile.pdf).where(
        LetterFile.notification.is_in(list(letter_ids))
    )
    pdf_of = {f["notification"]: bytes(f["pdf"]) for f in files}
    wanted = {e["document_id"] for row in letters for e in _enclosures(row["attachments"])}
    documents = {}
    if wanted:
        found = await case_facts.reader().documents(sorted(wanted))
        documents = {i: content for i, (content, kind) in found.items() if kind == "application/pdf"}
    merged = {}
    for row in letters:
        if row["id"] in pdf_of:
            parts = [pdf_of[row["id"]]]
            for e in _enclosures(row["attachments"]):
                content = documents.get(e["document_id"])
                parts.append(content if content and readable(content) else await _missing(str(e["filename"])))
            merged[row["id"]] = await asyncio.to_thread(merge_pdfs, parts)  # CPU-bound: off the event loop
    return merged


async def _missing(filename: str) -> bytes:
    """A page in place of an enclosure that cannot be merged (not a PDF pypdf can read), so whoever prints
    the letter sees it must be added by hand rather than the family going without it."""
    html = _environment().get_template(MISSING_TEMPLATE).render(filename=filename)
    return await asyncio.to_thread(write_pdf, html)


async def letter_file(user: CurrentUser, letter_id: int) -> tuple[str, bytes]:
    """One letter and its enclosures as one PDF (filename, bytes); NotFound for a letter not ours."""
    found = await Notification.select(Notification.id).where(_queue_of(user) & (Notification.id == letter_id))
    files = await _print_files([letter_id]) if found else {}
    if letter_id not in files:
        raise NotFound("Letter not found")
    return f"letter-{letter_id}.pdf", files[letter_id]


async def batch_file(user: CurrentUser) -> tuple[str, bytes] | None:
    """Every letter waiting (up to BATCH_MAX, oldest first), each with its enclosures, as one PDF."""
    letters = await waiting(user, limit=BATCH_MAX)
    if not letters:
        return None
    files = await _print_files([letter.id for letter in letters])
    ordered = [files[letter.id] for letter in letters if letter.id in files]
    stamp = timekeeping.today().isoformat()
    return f"letters-to-post-{stamp}.pdf", await asyncio.to_thread(merge_pdfs, ordered)


async def mark_posted(user: CurrentUser, letter_ids: Sequence[int], posted_on: dt.date | None) -> int:
    """Record the day the chosen letters were posted; Invalid (fields `letters`, `posted-day`) otherwise.
    A letter already posted, or another organisation's, is not changed."""
    if not letter_ids:
        raise Invalid("Select the letters you have posted", field="letters")
    if posted_on is None:
        raise Invalid("Enter the date the letters were posted", field="posted-day")
    if posted_on > timekeeping.today():
        raise Invalid("The date the letters were posted must be today or in the past", field="posted-day")
    async with transaction():
        rows = await Notification.select(*_COLUMNS).where(
            _queue_of(user) & Notification.posted_on.is_null() & Notification.id.is_in(list(letter_ids))
        )
        if not rows:
            raise Invalid("The letters you selected have already been posted, or are not in your queue",
                          field="letters")  # fmt: skip
        latest = max(_made_on(r) for r in rows)
        if posted_on < latest:
            raise Invalid(
                f"The date the letters were posted must be on or after {format_long_date(latest)}, "
                "the day the latest of them was made",
                field="posted-day",
            )
        await Notification.update({Notification.posted_on: posted_on, Notification.posted_by: user.id}).where(
            Notification.id.is_in([r["id"] for r in rows]) & Notification.posted_on.is_null()
        )
        for r in rows:
            await audit.record(
                actor=user,
                action="letter_posted",
                entity="notification",
                entity_id=r["id"],
                summary=f"Letter posted on {format_long_date(posted_on)}: {r['subject']}",
                after={"posted_on": posted_on.isoformat()},
                disagreement_id=r["disagreement_id"],
            )
    return len(rows)
