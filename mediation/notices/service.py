"""Issuing a decision notice: render the fixed text with the LA's fields, store it, start its dates, send it.

A notice is issued once per issuing event (its dedupe key): the notice row, its PDFs, the email or
letter and the audit entry commit together or not at all, so a retry never sends it twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.cases.tables import CaseDocument
from mediation.db import is_unique_violation, transaction
from mediation.identity import CurrentUser
from mediation.notices.content import (
    NoticeInput,
    deadline_records,
    missing_contacts,
    notice_context,
    notice_deadlines,
)
from mediation.notices.errors import DuplicateNotice, IssueError
from mediation.notices.rendering import email_html, letter_html, render_body, render_pdf, to_text
from mediation.notices.tables import DecisionNotice
from mediation.notices.versions import current_template
from mediation.notify.service import check_subject, queue_email, queue_letter
from mediation.organisations.service import get_organisation, icb_for_la
from mediation.rules.deadlines import Deadline
from mediation.rules.routing import HEALTH_SECTIONS
from mediation.settings import settings

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


class PlanFile:
    """The final plan or decision letter to attach: new bytes, or a document already stored."""

    def __init__(self, filename: str = "", content: bytes = b"", document_id: int | None = None) -> None:
        self.filename = (filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "plan.pdf")[:200]
        self.content = content
        self.document_id = document_id


def london_today() -> dt.date:
    return timekeeping.today()


REFERENCE_ATTEMPTS = 5


def new_reference() -> str:
    return "DN-" + secrets.token_hex(4).upper()


async def _existing(dedupe_key: str) -> dict[str, Any] | None:
    return (
        await DecisionNotice.select(DecisionNotice.id, DecisionNotice.reference)
        .where(DecisionNotice.dedupe_key == dedupe_key)
        .first()
    )


async def _store_document(kind: str, filename: str, content: bytes, actor: CurrentUser | None) -> int:
    row = CaseDocument(
        kind=kind,
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor.id if actor else None,
        uploaded_at=timekeeping.now(),
    )
    await row.save()
    return int(row.id)


def _online_line(email: str) -> str:
    return (
        f"You can read this notice online and tell us if you disagree: sign in, or create an account with "
        f"the email address {email}, at {settings.base_url}/home"
    )


async def issue_notice(
    notice: NoticeInput,
    *,
    la_id: int,
    actor: CurrentUser | None,
    dedupe_key: str,
    plan: PlanFile | None,
    batch_id: int | None = None,
    allow_repeat: bool = False,
    sent_on: dt.date | None = None,
    in_transaction: Callable[[int], Awaitable[None]] | None = None,
) -> tuple[str, bool]:
    """Issue one notice; returns (reference, newly issued). `in_transaction(notice_id)` runs inside the
    notice's own transaction (a batch row records its outcome there) and may raise to undo it all."""
    if (found := await _existing(dedupe_key)) is not None:
        return found["reference"], False
    fingerprint = notice.fingerprint(la_id)
    if not allow_repeat:
        earlier = (
            await DecisionNotice.select(DecisionNotice.reference, DecisionNotice.sent_on)
            .where(DecisionNotice.fingerprint == fingerprint)
            .order_by(DecisionNotice.id, ascending=False)
            .first()
        )
        if earlier is not None:
            raise DuplicateNotice(earlier["reference"], earlier["sent_on"])
    la = await get_organisation(la_id)
    if la is None:
        raise IssueError({"": "The local authority was not found"})
    if missing := missing_contacts(la):
        raise IssueError(
            {"": f"{la.name}'s record has no {' and no '.join(missing)}. Ask an administrator to add them."}
        )
    icb_id = await icb_for_la(la_id) if HEALTH_SECTIONS & set(notice.sections) else None
    icb = await get_organisation(icb_id) if icb_id else None
    template = await current_template(la_id)
    sent_on = sent_on or london_today()
    deadlines = notice_deadlines(notice.decision, notice.sections, sent_on)
    # The reference is printed in the letter, its PDF and its subject: a drawn reference another notice
    # already has (32 random bits) means drawing again and rendering it all again, never a 500.
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        context = notice_context(
            notice, reference=reference, sent_on=sent_on, la=la, icb=icb, deadlines=deadlines
        )
        body_html = render_body(context, template["fields"])
        body_text = to_text(body_html)
        address = notice.postal_address
        pdf = await render_pdf(
            letter_html(
                title=notice.title, body_html=body_html, reference=reference, sent_on=sent_on,
                name=notice.family_name, address=address, fields=template["fields"],
                large_print=notice.large_print,
            )
        )  # fmt: skip
        rendered = _Rendered(
            reference=reference, fingerprint=fingerprint, sent_on=sent_on, deadlines=deadlines,
            template=template, body_html=body_html, body_text=body_text, pdf=pdf,
        )  # fmt: skip
        try:
            return await _store(
                notice, rendered, dedupe_key=dedupe_key, la_id=la_id, plan=plan, batch_id=batch_id,
                actor=actor, in_transaction=in_transaction,
            )  # fmt: skip
        except Exception as exc:
            # Two submissions of the same form at once: the unique dedupe key let only one in; report it.
            if (found := await _existing(dedupe_key)) is not None:
                return found["reference"], False
            if not (is_unique_violation(exc) and await _reference_taken(reference)):
                raise
    raise RuntimeError(f"{REFERENCE_ATTEMPTS} notice references drawn, every one already taken")


async def _reference_taken(reference: str) -> bool:
    return await DecisionNotice.exists().where(DecisionNotice.reference == reference)


@dataclasses.dataclass(frozen=True)
class _Rendered:
    reference: str
    fingerprint: str
    sent_on: dt.date
    deadlines: dict[str, Deadline]
    template: dict[str, Any]
    body_html: str
    body_text: str
    pdf: bytes


async def _store(
    notice: NoticeInput,
    rendered: _Rendered,
    *,
    dedupe_key: str,
    la_id: int,
    plan: PlanFile | None,
    batch_id: int | None,
    actor: CurrentUser | None,
    in_transaction: Callable[[int], Awaitable[None]] | None,
) -> tuple[str, bool]:
    """The notice, its documents, its message and its audit entry: all together or none of them."""
    reference, sent_on, deadlines = rendered.reference, rendered.sent_on, rendered.deadlines
    template = rendered.template
    async with transaction():
        if (found := await _existing(dedupe_key)) is not None:  # a concurrent retry got here first
            return found["reference"], False
        plan_id = None
        if plan is not None:
            plan_id = plan.document_id or await _store_document(
                "notice_plan", plan.filename, plan.content, actor
            )
        notice_doc = await _store_document(
            "decision_notice", f"{reference}-your-rights.pdf", rendered.pdf, actor
        )
        row = DecisionNotice(
            reference=reference,
            dedupe_key=dedupe_key,
            fingerprint=rendered.fingerprint,
            local_authority=la_id,
            decision=notice.decision,
            plan_kind=notice.plan_kind,
            decision_date=notice.decision_date,
            sections=",".join(notice.sections),
            child_name=notice.child_name,
            child_date_of_birth=notice.child_date_of_birth,
            family_name=notice.family_name,
            family_email=notice.family_email,
            postal_address=notice.postal_address,
            channel="email" if notice.family_email else "letter",
            sent_on=sent_on,
            contact_adviser_by=deadlines["contact_mediation_adviser"].due,
            appeal_by=deadlines["appeal"].due if "appeal" in deadlines else None,
            deadlines=deadline_records(deadlines),
            template=template["id"],
            body_html=rendered.body_html,
            body_text=rendered.body_text,
            notice_document=notice_doc,
            plan_document=plan_id,
            batch=batch_id,
            issued_by=actor.id if actor else None,
            created_at=timekeeping.now(),
        )
        await row.save()
        await _send(notice, reference, rendered, notice_doc, plan_id, plan, la_id)
        await audit.record(
            actor=actor,
            action="issue_notice",
            entity="decision_notice",
            entity_id=reference,
            summary=f"Decision notice {reference} issued ({notice.title}), "
            + ("sent by email" if notice.family_email else "queued for posting"),
            after={
                "decision": notice.decision,
                "plan_kind": notice.plan_kind,
                "sections": notice.sections,
                "sent_on": sent_on.isoformat(),
                "template_version": template["version"],
                "dates": {r: d.due.isoformat() for r, d in deadlines.items()},
            },
        )
        if in_transaction is not None:
            await in_transaction(int(row.id))
    return reference, True


def _subject(notice: NoticeInput, reference: str) -> str:
    """The first subject line that does not contain any part of the child's name (a child called, say,
    Alex Plan must not be named by "Final EHC plan issued" in an inbox preview)."""
    for subject in (
        f"{notice.title}: your rights (reference {reference})",
        f"Decision notice and your rights (reference {reference})",
        f"Notice {reference}",
    ):
        try:
            check_subject(subject, [notice.child_name])
        except ValueError:
            continue
        return subject
    return reference


async def _send(
    notice: NoticeInput,
    reference: str,
    rendered: _Rendered,
    notice_doc: int,
    plan_id: int | None,
    plan: PlanFile | None,
    la_id: int,
) -> None:
    body_html, body_text = rendered.body_html, rendered.body_text
    subject = _subject(notice, reference)
    enclosure = [{"document_id": plan_id, "filename": plan.filename}] if plan_id and plan else []
    if notice.family_email:
        await queue_email(
            to=notice.family_email,
            name=notice.family_name,
            subject=subject,
            body_text=f"Dear {notice.family_name},\n\n{body_text}\n{_online_line(notice.family_email)}\n",
            body_html=email_html(title=notice.title, body_html=body_html, name=notice.family_name),
            dedupe_key=f"notice:{reference}",
            attachments=[{"document_id": notice_doc, "filename": f"{reference}-your-rights.pdf"}, *enclosure],
            forbidden_names=[notice.child_name],
        )
    else:
        await queue_letter(
            name=notice.family_name,
            address=notice.postal_address,
            subject=subject,
            body_text=body_text,
            dedupe_key=f"notice:{reference}",
            attachments=enclosure,
            forbidden_names=[notice.child_name],
            organisation_id=la_id,  # the LA that issued the notice prints and posts it
            large_print=notice.large_print,
        )
