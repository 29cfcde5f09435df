"""Reading cases through the access rule: queues with filters, and one case with everything about it."""

from __future__ import annotations

import datetime as dt

import msgspec
from piccolo.query import OrderByRaw

from mediation import access, timekeeping
from mediation.access import visible_cases
from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.model import Disagreement
from mediation.cases.repository import find_case
from mediation.cases.tables import CaseDocument, DisputedMatter
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.clocks.service import ClockView, view_of
from mediation.identity import CurrentUser
from mediation.rules.calendar import DEFAULT_CALENDAR

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
    state: str
    state_label: str
    scope: list[str]
    arranged_by: str | None
    parties: list[str]
    certificate_required: bool
    appeal_available: bool
    next_due_date: dt.date | None
    allowed_events: list[str]
    your_events: list[str]  # the allowed events this caller's role and relation to the case let it record
    clocks: list[ClockView]
    child_name: str
    child_date_of_birth: dt.date
    decision: str
    decision_notice_sent: dt.date
    received_on: dt.date
    sections: list[str]
    local_authority: str
    local_authority_code: str
    icb: str | None
    mediation_service: str | None
    family_name: str
    lodged_by: str
    represented_person: str
    wants_mediation: bool | None
    health_provision_sought: str
    accessibility: dict[str, str]
    contact_by: str
    risk: str
    matters: list[Matter]
    documents: list[Document]
    routing_explanation: list[str]
    routing_reason: str
    appealed: bool  # an appeal to the tribunal is recorded
    timeline: list[TimelineEntry]
    # The family's contact details: shown only to those who may see the case (issue 15).
    contact_email: str = ""
    contact_phone: str = ""
    postal_address: str = ""
    large_print: bool = False


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def risk_bounds(today: dt.date) -> dt.date:
    """The last date that still counts as 'at risk' (5 working days from today)."""
    return DEFAULT_CALENDAR.add_working_days(today, AT_RISK_WORKING_DAYS).date


def risk_of(due: dt.date | None, today: dt.date, at_risk_until: dt.date) -> str:
    if due is None:
        return "on_track"
    if due < today:
        return "overdue"
    return "at_risk" if due <= at_risk_until else "on_track"


_SUMMARY_COLUMNS = (
    DisagreementRow.reference,
    DisagreementRow.child_name,
    DisagreementRow.decision,
    DisagreementRow.sections,
    DisagreementRow.scope,
    DisagreementRow.arranged_by,
    DisagreementRow.state,
    DisagreementRow.local_authority.name.as_alias("local_authority"),
    DisagreementRow.icb.name.as_alias("icb"),
    DisagreementRow.next_due_date,
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
    today = timekeeping.today()
    until = risk_bounds(today)
    where = visible_cases(user)
    if state:
        where = where & (DisagreementRow.state == state)
    if scope:
        where = where & DisagreementRow.scope.like(f"%{scope}%")
    if risk == "overdue":
        where = where & (DisagreementRow.next_due_date < today)
    elif risk == "at_risk":
        where = where & (DisagreementRow.next_due_date >= today) & (DisagreementRow.next_due_date <= until)
    elif risk == "on_track":
        where = where & ((DisagreementRow.next_due_date > until) | DisagreementRow.next_due_date.is_null())
    rows = (
        await DisagreementRow.select(*_SUMMARY_COLUMNS)
        .where(where)
        # Nearest first, and cases with nothing due last on both engines (SQLite sorts NULL first).
        .order_by(OrderByRaw("next_due_date IS NULL"))
        .order_by(DisagreementRow.next_due_date)
        .order_by(DisagreementRow.id)
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


def your_events(user: CurrentUser, case: Disagreement) -> list[str]:
    """The events this person may record on the case now (the lifecycle's, narrowed by permission)."""
    found = []
    for event in case.allowed_events:
        if event == "duty_done":
            ok = any(access.may(user, event, case, c.rule) for c in case.running_clocks if c.owed_by_body)
        elif event == "complied":
            ok = False  # the service records compliance itself, when the last duty is met
        else:
            ok = access.may(user, event, case)
        if ok:
            found.append(event)
    return found


async def case_detail(user: CurrentUser, case: Disagreement, *, client: str = "") -> CaseDetail:
    """Everything about a case the user can already see; staff views are written to the audit log."""
    if user.is_staff:
        await audit.record(
            actor=user,
            action="view",
            entity="disagreement",
            entity_id=case.reference,
            summary="Case viewed",
            disagreement_id=case.id,
            client=client,
        )
    events = (
        await AuditEvent.select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action, AuditEvent.summary)
        .where((AuditEvent.disagreement_id == case.id) & (AuditEvent.action != "view"))
        .order_by(AuditEvent.at)
        .order_by(AuditEvent.id)
    )
    matters = (
        await DisputedMatter.select(
            DisputedMatter.section, DisputedMatter.disagreement_text, DisputedMatter.wanted_text
        )
        .where(DisputedMatter.disagreement == case.id)
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
        .where(CaseDocument.disagreement == case.id)
        .order_by(CaseDocument.id)
    )
    routing = case.routing
    today = timekeeping.today()
    return CaseDetail(
        reference=case.reference,
        state=case.state,
        state_label=case.state_label,
        scope=list(routing.scope),
        arranged_by=case.arranged_by,
        parties=list(routing.parties),
        certificate_required=routing.certificate_required,
        appeal_available=routing.appeal_available,
        next_due_date=case.next_body_due(),
        allowed_events=list(case.allowed_events),
        your_events=your_events(user, case),
        clocks=[view_of(c, today) for c in case.clocks],
        child_name=case.child_name,
        child_date_of_birth=case.child_date_of_birth,
        decision=case.decision,
        decision_notice_sent=case.decision_notice_sent,
        received_on=case.received_on,
        sections=list(case.sections),
        local_authority=case.local_authority_name,
        local_authority_code=case.local_authority_code,
        icb=case.icb_name,
        mediation_service=case.mediation_service_name,
        family_name=case.family_name,
        lodged_by=case.lodged_by,
        represented_person=case.represented_person,
        wants_mediation=case.wants_mediation,
        health_provision_sought=case.health_provision_sought,
        accessibility=dict(case.accessibility),
        contact_by=case.contact_by,
        risk=risk_of(case.next_body_due(), today, risk_bounds(today)),
        matters=[Matter(**m) for m in matters],
        documents=[Document(**d) for d in documents],
        routing_explanation=list(routing.explanation),
        routing_reason=case.routing_reason,
        appealed=case.appeal is not None,
        timeline=[
            TimelineEntry(at=e["at"], actor=e["actor_label"], action=e["action"], summary=e["summary"])
            for e in events
        ],
        contact_email=case.contact_email,
        contact_phone=case.contact_phone,
        postal_address=case.postal_address,
        large_print=case.large_print,
    )


async def get_case(user: CurrentUser, reference: str, *, client: str = "") -> CaseDetail | None:
    """One case if this user may see it, as pages and the API show it."""
    case = await find_case(user, reference)
    return None if case is None else await case_detail(user, case, client=client)
