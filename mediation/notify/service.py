"""Queueing side of the outbox: write a message in the caller's transaction, deliver it later.

Call these inside the same `async with transaction():` as the change that causes the message: Piccolo
runs the insert on the current transaction, so the message commits or rolls back with the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mediation import timekeeping
from mediation.notify import case_facts
from mediation.notify.tables import Channel, DeliveryStatus, Notification

SUBJECT_MAX = 200  # Notification.subject is Varchar(200)
DEDUPE_KEY_MAX = 200
INSERT_CHUNK = 100  # rows per INSERT: ~20 columns each stays far below SQLite's bound-parameter limit


def check_subject(subject: str, forbidden_names: Iterable[str]) -> None:
    """Refuse a subject that names a child: subject lines show in inboxes, previews and lock screens.

    Matches the whole name anywhere (case-insensitive) and each part of it as a whole word, because a
    given name alone ("Jamie") still identifies a child to anyone glancing at a shared screen.
    """
    if not subject.strip():
        raise ValueError("a notification needs a subject")
    if "\n" in subject or "\r" in subject:
        raise ValueError("a subject must be one line")  # a header can't carry line breaks
    if len(subject) > SUBJECT_MAX:
        raise ValueError(f"a subject must be at most {SUBJECT_MAX} characters")
    folded = " ".join(subject.split()).casefold()
    for name in forbidden_names:
        whole = " ".join((name or "").split()).casefold()
        if not whole:
            continue
        parts = [p for p in re.split(r"[\s\-']+", whole) if len(p) >= 2]
        if whole in folded or any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", folded) for p in parts):
            raise ValueError("a subject line must not contain a child's name")


def _attachments(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attachments are references to CaseDocument rows, loaded at send time (the outbox stays small)."""
    cleaned = []
    for item in items:
        document_id = item.get("document_id")
        filename = str(item.get("filename") or "").strip()
        if not isinstance(document_id, int) or isinstance(document_id, bool) or not filename:
            raise ValueError("an attachment needs an integer document_id and a filename")
        if "/" in filename or "\\" in filename:
            raise ValueError("an attachment filename must not contain a path")
        content_type = str(item.get("content_type") or "application/pdf")
        cleaned.append({"document_id": document_id, "filename": filename, "content_type": content_type})
    return cleaned


def notification_row(
    *,
    channel: Channel,
    dedupe_key: str,
    subject: str,
    forbidden_names: Iterable[str],
    attachments: Iterable[Mapping[str, Any]],
    **fields: Any,
) -> Notification:
    """A checked outbox row, not yet written: raises ValueError for a message that must not be sent."""
    check_subject(subject, forbidden_names)
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError(f"a dedupe_key must be 1 to {DEDUPE_KEY_MAX} characters")
    now = timekeeping.now()
    return Notification(
        channel=channel.value,
        dedupe_key=dedupe_key,
        subject=subject,
        attachments=_attachments(attachments),
        status=DeliveryStatus.pending.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        **fields,
    )


async def insert_new(rows: Sequence[Notification]) -> set[str]:
    """Write rows to the outbox in a few multi-row inserts; return the dedupe keys that were new.

    DO NOTHING on the unique dedupe_key: re-running the same event (a retried request, a job run twice, a
    second process sweeping at once) queues nothing new. RETURNING tells us which rows were ours.
    """
    inserted: set[str] = set()
    for start in range(0, len(rows), INSERT_CHUNK):
        returned = (
            await Notification.insert(*rows[start : start + INSERT_CHUNK])
            .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
            .returning(Notification.dedupe_key)
        )
        inserted.update(r["dedupe_key"] for r in returned)
    return inserted


def email_row(
    *,
    to: str,
    name: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    dedupe_key: str,
    disagreement_id: int | None = None,
    attachments: Iterable[Mapping[str, Any]] = (),
    forbidden_names: Iterable[str] = (),
) -> Notification:
    to = to.strip()
    if "@" not in to or any(c.isspace() for c in to) or len(to) > 254:
        raise ValueError("an email notification needs a valid address")
    return notification_row(
        channel=Channel.email,
        dedupe_key=dedupe_key,
        subject=subject,
        forbidden_names=forbidden_names,
        attachments=attachments,
        recipient_email=to,
        recipient_name=name[:200],
        body_text=body_text,
        body_html=body_html,
        disagreement_id=disagreement_id,
    )


async def queue_email(**fields: Any) -> bool:
    """Queue an email (the fields of `email_row`); True if newly queued, False if this dedupe_key was
    already queued."""
    return bool(await insert_new([email_row(**fields)]))


async def handling_body(disagreement_id: int | None) -> tuple[int | None, bool]:
    """The organisation whose print queue a case's letters go to (the body handling the case: the ICB on
    a health-only case, the LA otherwise), and whether the family asked for large print."""
    if disagreement_id is None:
        return None, False
    return await case_facts.reader().print_queue_of(disagreement_id)


def letter_row(
    *,
    name: str,
    address: str,
    subject: str,
    body_text: str,
    dedupe_key: str,
    disagreement_id: int | None = None,
    attachments: Iterable[Mapping[str, Any]] = (),
    forbidden_names: Iterable[str] = (),
    organisation_id: int | None = None,
    large_print: bool = False,
) -> Notification:
    if not address.strip():
        raise ValueError("a letter needs a postal address")
    return notification_row(
        channel=Channel.letter,
        dedupe_key=dedupe_key,
        subject=subject,
        forbidden_names=forbidden_names,
        attachments=attachments,
        recipient_name=name[:200],
        postal_address=address.strip(),
        body_text=body_text,
        disagreement_id=disagreement_id,
        organisation_id=organisation_id,
        large_print=large_print,
    )


async def queue_letter(
    *, organisation_id: int | None = None, large_print: bool = False, **fields: Any
) -> bool:
    """Queue a posted letter (the fields of `letter_row`; rendered to PDF by the delivery job);
    attachments become enclosures. `organisation_id`: whose print queue it joins; by default the body
    handling the case. Large print when asked for here or on the family's contact details."""
    if not str(fields.get("address", "")).strip():
        raise ValueError("a letter needs a postal address")
    handler, asked = await handling_body(fields.get("disagreement_id"))
    row = letter_row(organisation_id=organisation_id or handler, large_print=large_print or asked, **fields)
    return bool(await insert_new([row]))


async def queue_for_person(
    *,
    email: str | None,
    name: str,
    address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    dedupe_key: str,
    disagreement_id: int | None = None,
    attachments: Iterable[Mapping[str, Any]] = (),
    forbidden_names: Iterable[str] = (),
    organisation_id: int | None = None,
) -> bool:
    """Email when the person has an address, otherwise a letter: nobody is left without the message.
    `organisation_id`: whose print queue a letter joins (see `queue_letter`)."""
    common: dict[str, Any] = {
        "name": name,
        "subject": subject,
        "body_text": body_text,
        "dedupe_key": dedupe_key,
        "disagreement_id": disagreement_id,
        "attachments": attachments,
        "forbidden_names": forbidden_names,
    }
    if email and email.strip():
        return await queue_email(to=email, body_html=body_html, **common)
    return await queue_letter(address=address, organisation_id=organisation_id, **common)
