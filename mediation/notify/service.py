"""Queueing side of the outbox: write a message in the caller's transaction, deliver it later.

Call these inside the same `async with transaction():` as the change that causes the message: Piccolo
runs the insert on the current transaction, so the message commits or rolls back with the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mediation import timekeeping
from mediation.notify.tables import Channel, DeliveryStatus, Notification

SUBJECT_MAX = 200  # Notification.subject is Varchar(200)
DEDUPE_KEY_MAX = 200


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


async def _queue(
    *,
    channel: Channel,
    dedupe_key: str,
    subject: str,
    forbidden_names: Iterable[str],
    attachments: Iterable[Mapping[str, Any]],
    **fields: Any,
) -> bool:
    check_subject(subject, forbidden_names)
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValueError(f"a dedupe_key must be 1 to {DEDUPE_KEY_MAX} characters")
    now = timekeeping.now()
    row = Notification(
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
    # DO NOTHING on the unique dedupe_key: re-running the same event (a retried request, a job run twice)
    # queues nothing new. RETURNING tells us which case we were in.
    inserted = (
        await Notification.insert(row)
        .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
        .returning(Notification.id)
    )
    return bool(inserted)


async def queue_email(
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
) -> bool:
    """Queue an email; True if newly queued, False if this dedupe_key was already queued."""
    to = to.strip()
    if "@" not in to or any(c.isspace() for c in to) or len(to) > 254:
        raise ValueError("an email notification needs a valid address")
    return await _queue(
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


async def handling_body(disagreement_id: int | None) -> tuple[int | None, bool]:
    """The organisation whose print queue a case's letters go to (the body handling the case: the ICB on
    a health-only case, the LA otherwise), and whether the family asked for large print."""
    if disagreement_id is None:
        return None, False
    from mediation.cases.tables import Disagreement

    row = (
        await Disagreement.select(
            Disagreement.local_authority, Disagreement.icb, Disagreement.arranged_by, Disagreement.large_print
        )
        .where(Disagreement.id == disagreement_id)
        .first()
    )
    if row is None:
        return None, False
    health_only = row["arranged_by"] == "health_commissioner" and row["icb"]
    return (row["icb"] if health_only else row["local_authority"]), bool(row["large_print"])


async def queue_letter(
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
) -> bool:
    """Queue a posted letter (rendered to PDF by the delivery job); attachments become enclosures.
    `organisation_id`: whose print queue it joins; by default the body handling the case. Large print
    when asked for here or on the family's contact details."""
    if not address.strip():
        raise ValueError("a letter needs a postal address")
    handler, asked = await handling_body(disagreement_id)
    return await _queue(
        channel=Channel.letter,
        dedupe_key=dedupe_key,
        subject=subject,
        forbidden_names=forbidden_names,
        attachments=attachments,
        recipient_name=name[:200],
        postal_address=address.strip(),
        body_text=body_text,
        disagreement_id=disagreement_id,
        organisation_id=organisation_id or handler,
        large_print=large_print or asked,
    )


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
