"""Reading cases through the access rule: queues with filters, and one case with everything about it."""

from __future__ import annotations

import datetime as dt

import msgspec

from mediation.access import visible_cases
from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import CaseDocument, Disagreement, DisputedMatter
from mediation.clocks.service import ClockView, clocks_for
from mediation.identity import CurrentUser
from mediation.rules.calendar import WorkingCalendar
from mediation.rules.routing import route

# A case is at risk when its nearest deadline is this many working days away or fewer.
AT_RISK_WORKING_DAYS = 5
RISK_LABELS = {"overdue": "Overdue", "at_risk": "Due within 5 working days", "on_track": "On track"}


class CaseSummary(msgspec.Struct):
    reference: str
    child_name: str
    decision: str
    sections: list[str]
    scope: list[str]
    arranged_by: str | None
    state: str
    local_authority: str
    icb: str | None
    next_due_date: dt.date | None
    risk: str


class Matter(msgspec.Struct):
    section: str
    disagreement_text: str
    wanted_text: str


class Document(msgspec.Struct):
    id: int
    kind: str
    filename: str
    size: int
    uploaded_at: dt.datetime


class TimelineEntry(msgspec.Struct):
    at: dt.datetime
    actor: str
    action: str
    summary: str


class CaseDetail(msgspec.Struct):
    reference: str
    child_name: str
    child_date_of_birth: dt.date
    decision: str
    decision_notice_sent: dt.date
    sections: list[str]
    scope: list[str]
    arranged_by: str | None
    parties: list[str]
    certificate_required: bool
    appeal_available: bool
    state: str
    local_authority: str
    icb: str | None
    mediation_service: str | None
    family_name: str
    lodged_by: str
    represented_person: str
    wants_mediation: bool | None
    health_provision_sought: str
    accessibility: dict[str, str]
    contact_by: str
    next_due_date: dt.date | None
    risk: str
    matters: list[Matter]
    documents: list[Document]
    clocks: list[ClockView]
    routing_explanation: list[str]
    routing_reason: str
    timeline: list[TimelineEntry]


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def risk_bounds(today: dt.date) -> dt.date:
    """The last date that still counts as 'at risk' (5 working days from today)."""
    return WorkingCalendar().add_working_days(today, AT_RISK_WORKING_DAYS).date


def risk_of(due: dt.date | None, today: dt.date, at_risk_until: dt.date) -> str:
    if due is None:
        return "on_track"
    if due < today:
        return "overdue"
    return "at_risk" if due <= at_risk_until else "on_track"


_SUMMARY_COLUMNS = (
    Disagreement.reference,
    Disagreement.child_name,
    Disagreement.decision,
    Disagreement.sections,
    Disagreement.scope,
    Disagreement.arranged_by,
    Disagreement.state,
    Disagreement.local_authority.name.as_alias("local_authority"),
    Disagreement.icb.name.as_alias("icb"),
    Disagreement.next_due_date,
)


async def list_cases(
    user: CurrentUser,
    *,
    state: str | None = None,
    scope: str | None = None,
    risk: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[CaseSummary]:
    """The cases this user may see, nearest statutory deadline first; one query whatever the page size."""
    today = dt.date.today()
    until = risk_bounds(today)
    where = visible_cases(user)
    if state:
        where = where & (Disagreement.state == state)
    if scope:
        where = where & Disagreement.scope.like(f"%{scope}%")
    if risk == "overdue":
        where = where & (Disagreement.next_due_date < today)
    elif risk == "at_risk":
        where = where & (Disagreement.next_due_date >= today) & (Disagreement.next_due_date <= until)
    elif risk == "on_track":
        where = where & ((Disagreement.next_due_date > until) | Disagreement.next_due_date.is_null())
    rows = (
        await Disagreement.select(*_SUMMARY_COLUMNS)
        .where(where)
        .order_by(Disagreement.next_due_date)
        .order_by(Disagreement.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        CaseSummary(
            reference=r["reference"],
            child_name=r["child_name"],
            decision=r["decision"],
            sections=_split(r["sections"]),
            scope=_split(r["scope"]),
            arranged_by=r["arranged_by"],
            state=r["state"],
            local_authority=r["local_authority"],
            icb=r["icb"],
            next_due_date=r["next_due_date"],
            risk=risk_of(r["next_due_date"], today, until),
        )
        for r in rows
    ]


async def find_case(user: CurrentUser, reference: str) -> dict | None:
    """The raw case row if this user may see it; None otherwise, whether or not it exists."""
    return (
        await Disagreement.select()
        .where((Disagreement.reference == reference) & visible_cases(user))
        .output(load_json=True)
        .first()
    )


async def get_case(user: CurrentUser, reference: str, *, client: str = "") -> CaseDetail | None:
    """One case if this user may see it; staff views are written to the audit log."""
    row = (
        await Disagreement.select(
            Disagreement.all_columns(),
            Disagreement.local_authority.name.as_alias("la_name"),
            Disagreement.icb.name.as_alias("icb_name"),
            Disagreement.mediation_service.name.as_alias("service_name"),
            Disagreement.family.full_name.as_alias("family_name"),
        )
        .where((Disagreement.reference == reference) & visible_cases(user))
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    case_id = row["id"]
    if user.is_staff:
        await audit.record(
            actor=user,
            action="view",
            entity="disagreement",
            entity_id=reference,
            summary="Case viewed",
            disagreement_id=case_id,
            client=client,
        )
    events = (
        await AuditEvent.select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action, AuditEvent.summary)
        .where((AuditEvent.disagreement_id == case_id) & (AuditEvent.action != "view"))
        .order_by(AuditEvent.at)
        .order_by(AuditEvent.id)
    )
    matters = (
        await DisputedMatter.select(
            DisputedMatter.section, DisputedMatter.disagreement_text, DisputedMatter.wanted_text
        )
        .where(DisputedMatter.disagreement == case_id)
        .order_by(DisputedMatter.section)
    )
    documents = (
        await CaseDocument.select(
            CaseDocument.id,
            CaseDocument.kind,
            CaseDocument.filename,
            CaseDocument.size,
            CaseDocument.uploaded_at,
        )
        .where(CaseDocument.disagreement == case_id)
        .order_by(CaseDocument.id)
    )
    sections = _split(row["sections"])
    routing = route(row["decision"], sections)
    today = dt.date.today()
    return CaseDetail(
        reference=row["reference"],
        child_name=row["child_name"],
        child_date_of_birth=row["child_date_of_birth"],
        decision=row["decision"],
        decision_notice_sent=row["decision_notice_sent"],
        sections=sections,
        scope=_split(row["scope"]),
        arranged_by=row["arranged_by"],
        parties=list(routing.parties),
        certificate_required=routing.certificate_required,
        appeal_available=routing.appeal_available,
        state=row["state"],
        local_authority=row["la_name"],
        icb=row["icb_name"],
        mediation_service=row["service_name"],
        family_name=row["family_name"],
        lodged_by=row["lodged_by"],
        represented_person=row["represented_person"],
        wants_mediation=row["wants_mediation"],
        health_provision_sought=row["health_provision_sought"],
        accessibility=dict(row["accessibility"] or {}),
        contact_by=row["contact_by"],
        next_due_date=row["next_due_date"],
        risk=risk_of(row["next_due_date"], today, risk_bounds(today)),
        matters=[Matter(**m) for m in matters],
        documents=[Document(**d) for d in documents],
        clocks=await clocks_for(case_id),
        routing_explanation=list(routing.explanation),
        routing_reason=row["routing_reason"],
        timeline=[
            TimelineEntry(at=e["at"], actor=e["actor_label"], action=e["action"], summary=e["summary"])
            for e in events
        ],
    )
