"""Reading cases through the access rule: queues with filters, and one case with everything about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query.methods.select import Select

from mediation import access, query_building, timekeeping
from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.batched_reads import read_together
from mediation.cases.model import Disagreement
from mediation.cases.queue import RISK_LABELS as RISK_LABELS  # the queue's, named here as before
from mediation.cases.queue import CaseSummary as CaseSummary
from mediation.cases.queue import list_cases as list_cases
from mediation.cases.queue import risk_bounds, risk_of
from mediation.cases.repository import find_case
from mediation.cases.tables import CaseDocument, DisputedMatter
from mediation.cases.work import INTERNAL_ACTIONS, NoteView, may_read_internal, notes_from, notes_query
from mediation.clocks.service import ClockView, view_of
from mediation.identity import CurrentUser


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
    # The handling body's own work, shown to its staff only (never to the family): empty otherwise.
    assigned_to: str | None = None  # the officer's email
    notes: list[NoteView] = []
    # The family's contact details: shown only to those who may see the case (issue 15).
    contact_email: str = ""
    contact_phone: str = ""
    postal_address: str = ""
    large_print: bool = False


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
    return (await case_detail_and(user, case, lambda _: [], client=client))[0]


# Written into the SQL rather than bound: PostgreSQL (and SQLite) read the partial index
# audit_event_case_timeline_no_views only for a predicate they can prove from the query's text.
_NOT_A_VIEW = WhereRaw(""""audit_event"."action" <> 'view'""")


def timeline_query(case_id: int, *, internal: bool) -> Select:
    """A case's timeline: its audit events but the staff views of it (each one audited) and, for a reader
    not allowed them, the internal ones, in order. Read from the partial index of the case's events that
    are not views, so the cost follows what the timeline shows, not how often the case was opened."""
    where = (AuditEvent.disagreement_id == case_id) & _NOT_A_VIEW
    if not internal:
        where &= AuditEvent.action.not_in(list(INTERNAL_ACTIONS))
    return query_building.built_once(
        "case timeline",
        AuditEvent.select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action, AuditEvent.summary)
        .where(where)
        .order_by(AuditEvent.at)
        .order_by(AuditEvent.id),
    )


async def case_detail_and(
    user: CurrentUser,
    case: Disagreement,
    also: Callable[[list[str]], Sequence[Any]],
    *,
    client: str = "",
) -> tuple[CaseDetail, list[Any]]:
    """`case_detail`, and the results of the queries `also` gives for the events this user may record,
    read with its own in one round trip (the staff case page's work panel: `work.panel_reads`)."""
    yours = your_events(user, case)
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
    internal = may_read_internal(user, case)
    reads = [
        timeline_query(case.id, internal=internal),
        query_building.built_once(
            "case matters",
            DisputedMatter.select(
                DisputedMatter.section, DisputedMatter.disagreement_text, DisputedMatter.wanted_text
            )
            .where(DisputedMatter.disagreement == case.id)
            .order_by(DisputedMatter.section),
        ),
        query_building.built_once(
            "case documents",
            CaseDocument.select(
                CaseDocument.id,
                CaseDocument.kind,
                CaseDocument.filename,
                CaseDocument.size,
                CaseDocument.uploaded_at,
            )
            .where(CaseDocument.disagreement == case.id)
            .order_by(CaseDocument.id),
        ),
    ]
    if internal:
        reads.append(notes_query(case))
    # One round trip for them all on PostgreSQL (issue 17: round trips are the page's dearest part).
    results = await read_together([*reads, *also(yours)])
    (events, matters, documents, *notes), extra = results[: len(reads)], results[len(reads) :]
    routing = case.routing
    today = timekeeping.today()
    detail = CaseDetail(
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
        your_events=yours,
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
        assigned_to=case.assigned_to_email if internal else None,
        notes=notes_from(notes[0]) if notes else [],
        contact_email=case.contact_email,
        contact_phone=case.contact_phone,
        postal_address=case.postal_address,
        large_print=case.large_print,
    )
    return detail, extra


async def get_case(user: CurrentUser, reference: str, *, client: str = "") -> CaseDetail | None:
    """One case if this user may see it, as pages and the API show it."""
    case = await find_case(user, reference)
    return None if case is None else await case_detail(user, case, client=client)


async def case_document_file(case_id: int, document_id: int) -> dict[str, Any] | None:
    """A document's file name and bytes, only when it belongs to this case."""
    return (
        await CaseDocument.select(CaseDocument.filename, CaseDocument.content)
        .where((CaseDocument.id == document_id) & (CaseDocument.disagreement == case_id))
        .first()
    )
