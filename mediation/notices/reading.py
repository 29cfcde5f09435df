"""Who may see which notices, the lists and the single notice, and a family's "I disagree".

A family sees the notices sent to its account's email address (matched when shown, so a notice issued
before the family registered appears once it has); LA coordinators see their own LA's. Anyone else gets
nothing, and a notice someone may not see looks exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import msgspec
from piccolo.columns.combination import WhereRaw

from mediation import timekeeping
from mediation.accounts.service import normalise_email
from mediation.audit import service as audit
from mediation.cases.tables import CaseDocument
from mediation.db import transaction
from mediation.db_typing import Condition
from mediation.identity import CurrentUser
from mediation.lodging import questions as q
from mediation.lodging.service import act_by, local_authorities
from mediation.lodging.tables import LodgingDraft
from mediation.notices.content import NOTICE_DECISIONS, NOTICE_TITLES
from mediation.notices.tables import DecisionNotice
from mediation.notify.tables import Notification

DELIVERY_LABELS = {
    "pending": "Waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent by email",
    "failed": "Email could not be delivered",
    "printed": "Printed for posting",
}


class NoticeSummary(msgspec.Struct):
    reference: str
    title: str
    child_name: str
    family_name: str
    local_authority: str
    decision: str
    plan_kind: str
    sent_on: dt.date
    contact_adviser_by: dt.date | None
    appeal_by: dt.date | None
    channel: str
    delivery: str


class DeadlineRecord(msgspec.Struct):
    rule: str
    title: str
    due: dt.date
    citation: str
    status: str
    status_label: str
    explanation: list[str]


class NoticeDetail(msgspec.Struct):
    reference: str
    title: str
    decision: str
    decision_label: str
    plan_kind: str
    decision_date: dt.date
    sections: list[str]
    child_name: str
    child_date_of_birth: dt.date
    family_name: str
    family_email: str
    postal_address: str
    local_authority: str
    local_authority_id: int
    channel: str
    delivery: str
    sent_on: dt.date
    contact_adviser_by: dt.date | None
    appeal_by: dt.date | None
    deadlines: list[DeadlineRecord]
    template_version: int
    body_html: str
    has_plan: bool
    batch_id: int | None


def visible_notices(user: CurrentUser | None) -> Condition:
    """The WHERE clause restricting notices to those this user may see."""
    nothing = WhereRaw("1 = 0")
    if user is None:
        return nothing
    if user.role == "family" and user.email.strip():
        return DecisionNotice.family_email == normalise_email(user.email)
    if user.role == "la_coordinator" and user.organisation_id is not None:
        return DecisionNotice.local_authority == user.organisation_id
    return nothing


def title_of(row: dict[str, Any]) -> str:
    return NOTICE_TITLES.get(row["plan_kind"] or row["decision"], row["decision"])


async def _deliveries(references: list[str]) -> dict[str, str]:
    """The outbox status of each notice's message, in one query."""
    if not references:
        return {}
    rows = await Notification.select(Notification.dedupe_key, Notification.status).where(
        Notification.dedupe_key.is_in([f"notice:{r}" for r in references])
    )
    return {r["dedupe_key"].removeprefix("notice:"): r["status"] for r in rows}


async def list_notices(
    user: CurrentUser, *, limit: int = 50, offset: int = 0, batch_id: int | None = None
) -> list[NoticeSummary]:
    """Notices this user may see, newest first; two queries whatever the page size."""
    where = visible_notices(user)
    if batch_id is not None:
        where = where & (DecisionNotice.batch == batch_id)
    rows = (
        await DecisionNotice.select(
            DecisionNotice.reference,
            DecisionNotice.decision,
            DecisionNotice.plan_kind,
            DecisionNotice.child_name,
            DecisionNotice.family_name,
            DecisionNotice.local_authority.name.as_alias("la_name"),
            DecisionNotice.sent_on,
            DecisionNotice.contact_adviser_by,
            DecisionNotice.appeal_by,
            DecisionNotice.channel,
        )
        .where(where)
        .order_by(DecisionNotice.created_at, ascending=False)
        .order_by(DecisionNotice.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    delivery = await _deliveries([r["reference"] for r in rows])
    return [
        NoticeSummary(
            reference=r["reference"],
            title=title_of(r),
            child_name=r["child_name"],
            family_name=r["family_name"],
            local_authority=r["la_name"],
            decision=r["decision"],
            plan_kind=r["plan_kind"],
            sent_on=r["sent_on"],
            contact_adviser_by=r["contact_adviser_by"],
            appeal_by=r["appeal_by"],
            channel=r["channel"],
            delivery=DELIVERY_LABELS.get(delivery.get(r["reference"], ""), "Not queued"),
        )
        for r in rows
    ]


async def find_notice(user: CurrentUser | None, reference: str) -> dict[str, Any] | None:
    """The raw notice row if this user may see it; None otherwise, whether or not it exists."""
    return (
        await DecisionNotice.select(
            *DecisionNotice.all_columns(),
            DecisionNotice.local_authority.name.as_alias("la_name"),
            DecisionNotice.template.version.as_alias("template_version"),
        )
        .where((DecisionNotice.reference == reference) & visible_notices(user))
        .output(load_json=True)
        .first()
    )


async def get_notice(user: CurrentUser, reference: str, *, client: str = "") -> NoticeDetail | None:
    row = await find_notice(user, reference)
    if row is None:
        return None
    if user.is_staff:
        await audit.record(
            actor=user,
            action="view",
            entity="decision_notice",
            entity_id=reference,
            summary="Decision notice viewed",
            client=client,
        )
    delivery = await _deliveries([reference])
    return NoticeDetail(
        reference=row["reference"],
        title=title_of(row),
        decision=row["decision"],
        decision_label=NOTICE_DECISIONS.get(row["decision"], row["decision"]),
        plan_kind=row["plan_kind"],
        decision_date=row["decision_date"],
        sections=[s for s in row["sections"].split(",") if s],
        child_name=row["child_name"],
        child_date_of_birth=row["child_date_of_birth"],
        family_name=row["family_name"],
        family_email=row["family_email"],
        postal_address=row["postal_address"],
        local_authority=row["la_name"],
        local_authority_id=row["local_authority"],
        channel=row["channel"],
        delivery=DELIVERY_LABELS.get(delivery.get(reference, ""), "Not queued"),
        sent_on=row["sent_on"],
        contact_adviser_by=row["contact_adviser_by"],
        appeal_by=row["appeal_by"],
        deadlines=[msgspec.convert(d, DeadlineRecord) for d in row["deadlines"] or []],
        template_version=row["template_version"],
        body_html=row["body_html"],
        has_plan=row["plan_document"] is not None,
        batch_id=row["batch"],
    )


async def notice_file(user: CurrentUser, reference: str, which: str) -> tuple[str, bytes] | None:
    """The notice as a PDF ("notice") or the plan or letter sent with it ("plan"), if visible."""
    row = await find_notice(user, reference)
    column = {"notice": "notice_document", "plan": "plan_document"}.get(which)
    if row is None or column is None or row[column] is None:
        return None
    doc = (
        await CaseDocument.select(CaseDocument.filename, CaseDocument.content)
        .where(CaseDocument.id == row[column])
        .first()
    )
    return (doc["filename"], bytes(doc["content"])) if doc else None


def _prefill(row: dict[str, Any]) -> dict[str, Any]:
    """The lodging answers a notice already gives: child, LA, decision, notice date and sections."""
    born, sent = row["child_date_of_birth"], row["sent_on"]
    answers: dict[str, Any] = {
        "child_name": row["child_name"],
        "dob-day": str(born.day),
        "dob-month": str(born.month),
        "dob-year": str(born.year),
        "local_authority": str(row["local_authority"]),
        "decision": row["decision"],
        # The date the notice was sent: the case's clocks start from it when the family lodges.
        "notice-day": str(sent.day),
        "notice-month": str(sent.month),
        "notice-year": str(sent.year),
        "from_notice": row["reference"],
    }
    # The sections the plan covers are not the sections in dispute: the family ticks those itself, or the
    # case would be routed (to the ICB, as mixed) on matters nobody disputes.
    return answers


async def start_disagreement(user: CurrentUser, reference: str) -> str | None:
    """Open (or reopen) the lodging journey from a notice; the path of the first question to answer."""
    row = await find_notice(user, reference)
    if row is None or user.role != "family":
        return None
    la_ids = [la["id"] for la in await local_authorities()]
    today = timekeeping.today()
    drafts = (
        await LodgingDraft.select(LodgingDraft.id, LodgingDraft.answers)
        .where((LodgingDraft.account == user.id) & (LodgingDraft.submitted.eq(False)))
        .output(load_json=True)
    )
    for existing in drafts:
        if existing["answers"].get("from_notice") == reference:
            step = q.first_unanswered(existing["answers"], la_ids=la_ids, today=today) or "check"
            return f"/lodge/{existing['id']}/{step}"
    answers = _prefill(row)
    now = timekeeping.now()
    async with transaction():
        draft = LodgingDraft(
            account=user.id, answers=answers, act_by=act_by(answers), created_at=now, updated_at=now
        )
        await draft.save()
        if row["plan_document"] is not None:
            # A copy owned by the draft: lodging attaches its documents to the case it creates.
            # The notice's plan_document is a foreign key (on_delete restrict): the row is there.
            plan = cast(
                dict[str, Any],
                await CaseDocument.select().where(CaseDocument.id == row["plan_document"]).first(),
            )
            await CaseDocument.insert(
                CaseDocument(
                    draft_id=draft.id,
                    kind="decision_letter",
                    filename=plan["filename"],
                    content_type=plan["content_type"],
                    size=plan["size"],
                    sha256=plan["sha256"],
                    content=plan["content"],
                    uploaded_by=user.id,
                    uploaded_at=now,
                )
            )
        await audit.record(
            actor=user,
            action="start_from_notice",
            entity="decision_notice",
            entity_id=reference,
            summary=f"Disagreement started from decision notice {reference}",
            after={"draft": draft.id},
        )
    step = q.first_unanswered(answers, la_ids=la_ids, today=today) or "check"
    return f"/lodge/{draft.id}/{step}"
