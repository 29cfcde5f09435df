"""Drafts of disagreements (save and return), PDF uploads, and submitting a draft as a case."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.cases.commands import AlreadyLodged, Matter, NewCase, create_case
from mediation.cases.contact import check_contact
from mediation.cases.model import Disagreement
from mediation.cases.tables import CaseDocument
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.lodging import questions as q
from mediation.lodging.errors import UploadError
from mediation.lodging.tables import LodgingDraft
from mediation.notify.service import queue_for_person
from mediation.organisations.service import exists_on
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import format_long_date
from mediation.rules.deadlines import compute_deadline
from mediation.rules.wording import family_title, who_handles

MAX_UPLOAD_BYTES = 8 * 1024 * 1024


class DraftSummary(msgspec.Struct):
    id: int
    child_name: str
    decision: str
    act_by: dt.date | None
    updated_at: dt.datetime
    resume_at: str  # the first question still to answer, or "check" when all are answered


async def local_authorities() -> list[dict[str, Any]]:
    return (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(
            (Organisation.kind == "local_authority")
            & (Organisation.active.eq(True))
            # Only councils that exist today: one that has ended passes its cases to its successor.
            & exists_on()
        )
        .order_by(Organisation.name)
    )


async def new_draft(user: CurrentUser) -> int:
    now = timekeeping.now()
    row = LodgingDraft(account=user.id, answers={}, created_at=now, updated_at=now)
    await row.save()
    return int(row.id)


async def get_draft(user: CurrentUser, draft_id: int) -> dict[str, Any] | None:
    """Only the owner's draft; someone else's looks exactly like a missing one."""
    return (
        await LodgingDraft.select()
        .where((LodgingDraft.id == draft_id) & (LodgingDraft.account == user.id))
        .output(load_json=True)
        .first()
    )


async def open_drafts(user: CurrentUser) -> list[DraftSummary]:
    rows = (
        await LodgingDraft.select(
            LodgingDraft.id, LodgingDraft.answers, LodgingDraft.act_by, LodgingDraft.updated_at
        )
        .where((LodgingDraft.account == user.id) & (LodgingDraft.submitted.eq(False)))
        .order_by(LodgingDraft.updated_at, ascending=False)
        .output(load_json=True)
    )
    la_ids = [la["id"] for la in await local_authorities()]
    return [
        DraftSummary(
            id=r["id"],
            child_name=str(r["answers"].get("child_name", "")),
            decision=str(r["answers"].get("decision", "")),
            act_by=r["act_by"],
            updated_at=r["updated_at"],
            resume_at=q.first_unanswered(r["answers"], la_ids=la_ids, today=timekeeping.today()) or "check",
        )
        for r in rows
    ]


def act_by(answers: q.Answers) -> dt.date | None:
    """The family's own deadline (contact a mediation adviser), once the notice date is known."""
    sent, error = q.read_date(answers, "notice", "notice date")
    if sent is None or error:
        return None
    try:
        return compute_deadline("contact_mediation_adviser", {"start": sent}).due
    except ValueError:
        return None


async def save_answers(draft: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """Keep what was typed, valid or not: nothing is lost on an error or a sign-out."""
    answers = {**draft["answers"], **updates}
    await LodgingDraft.update(
        {
            LodgingDraft.answers: answers,
            LodgingDraft.act_by: act_by(answers),
            LodgingDraft.updated_at: timekeeping.now(),
        }
    ).where(LodgingDraft.id == draft["id"])
    return answers


def check_pdf(filename: str, content: bytes) -> None:
    """Judge the file by its content, not its name: a real PDF starts with %PDF- and ends with %%EOF."""
    if not content:
        raise UploadError("The selected file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError(f"The selected file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-2048:]:
        raise UploadError("The selected file must be a PDF")


async def store_upload(draft_id: int, user: CurrentUser, filename: str, content: bytes, kind: str) -> int:
    check_pdf(filename, content)
    name = (filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "document.pdf")[:200]
    async with transaction():
        await CaseDocument.delete().where((CaseDocument.draft_id == draft_id) & (CaseDocument.kind == kind))
        row = CaseDocument(
            draft_id=draft_id,
            kind=kind,
            filename=name,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=user.id,
            uploaded_at=timekeeping.now(),
        )
        await row.save()
    return int(row.id)


async def draft_documents(draft_id: int) -> list[dict[str, Any]]:
    return await CaseDocument.select(
        CaseDocument.id, CaseDocument.kind, CaseDocument.filename, CaseDocument.size
    ).where((CaseDocument.draft_id == draft_id) & CaseDocument.disagreement.is_null())


def to_new_case(user: CurrentUser, draft: dict[str, Any]) -> NewCase:
    a = draft["answers"]
    born, _ = q.read_date(a, "dob", "date of birth")
    sent, _ = q.read_date(a, "notice", "notice date")
    assert born is not None and sent is not None  # validated before submission
    needs = {k: "yes" for k in q.as_list(a.get("access")) if k in q.ACCESS_NEEDS}
    if "interpreter" in needs:
        needs["interpreter"] = str(a.get("interpreter_language", "")).strip()
    if str(a.get("access_other", "")).strip():
        needs["other"] = str(a["access_other"]).strip()
    sections = q.selected_sections(a)
    contact, _ = check_contact(a)
    assert contact is not None  # validated before submission
    return NewCase(
        family_id=user.id,
        local_authority_id=int(a["local_authority"]),
        child_name=str(a["child_name"]).strip(),
        child_date_of_birth=born,
        decision=str(a["decision"]),
        decision_notice_sent=sent,
        matters=[
            Matter(
                section=s,
                disagreement_text=str(a.get(f"{s}-disagree", "")).strip(),
                wanted_text=str(a.get(f"{s}-wanted", "")).strip(),
            )
            for s in sections
        ],
        lodged_by=str(a["lodged_by"]),
        represented_person=str(a.get("represented_person", "")).strip()
        if a["lodged_by"] == "advocate"
        else "",
        advocate_consent=a.get("advocate_consent") == "yes" and a["lodged_by"] == "advocate",
        wants_mediation=None
        if a["decision"] == "disability_discrimination"
        else a.get("wants_mediation") == "yes",
        health_provision_sought=str(a.get("health_provision", "")).strip()
        if q.HEALTH_SECTIONS & set(sections)
        else "",
        accessibility=needs,
        contact_by=contact.contact_by,
        contact_email=contact.email,
        contact_phone=contact.phone,
        postal_address=contact.postal_address,
        large_print=contact.large_print,
        draft_id=int(draft["id"]),
    )


async def submit(user: CurrentUser, draft: dict[str, Any], base_url: str) -> str:
    """Create the case, its clocks and the confirmation message together, or none of them. A draft becomes
    one case however many times it is sent (a unique index decides): a repeat returns the first case."""
    new = to_new_case(user, draft)
    try:
        async with transaction():
            case = await create_case(new, actor=user)
            await LodgingDraft.update(
                {LodgingDraft.submitted: True, LodgingDraft.reference: case.reference}
            ).where(LodgingDraft.id == draft["id"])
            await _confirm(user, new, case, base_url)
    except AlreadyLodged as already:  # sent twice (a double click, two tabs): the first one stands
        return (await already.first_case()).reference
    return case.reference


async def _confirm(user: CurrentUser, new: NewCase, case: Disagreement, base_url: str) -> None:
    named: dict[str, Any] = {"council": case.local_authority_name, "icb": case.icb_name}
    dates = [
        f"- {family_title(c.rule, **named)}: by {format_long_date(c.due)}"
        for c in sorted(case.running_clocks, key=lambda c: (c.actor != "family", c.due))
    ]
    body = "\n".join(
        [
            f"Dear {user.full_name},",
            "",
            f"We have received your disagreement. Your reference is {case.reference}.",
            "",
            *who_handles(case.routing, **named),
            "",
            "Your dates:",
            *dates,
            "",
            f"See your case and what happens next: {base_url}/cases/{case.reference}",
        ]
    )
    await queue_for_person(
        email=case.written_email or None,
        name=user.full_name,
        address=new.postal_address,
        subject=f"Disagreement {case.reference} received",
        body_text=body,
        dedupe_key=f"lodged:{case.reference}",
        disagreement_id=case.id,
        forbidden_names=[new.child_name],
    )
