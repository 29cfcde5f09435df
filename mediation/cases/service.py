"""Cases (disagreements): creating one with its routing, listing and reading them through the access rule."""

from __future__ import annotations

import datetime as dt
import secrets

import msgspec

from mediation.access import visible_cases
from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.tables import Disagreement
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.closures import calendar_for
from mediation.organisations.service import icb_for_la
from mediation.rules.calendar import WorkingCalendar
from mediation.rules.deadlines import compute_deadline
from mediation.rules.routing import route


class Clock(msgspec.Struct):
    rule: str
    label: str
    due: dt.date
    citation: str
    status: str
    explanation: list[str]


class CaseSummary(msgspec.Struct):
    reference: str
    child_name: str
    decision: str
    sections: list[str]
    scope: list[str]
    state: str
    local_authority: str
    icb: str | None
    next_due_date: dt.date | None


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
    state: str
    local_authority: str
    icb: str | None
    mediation_service: str | None
    family_name: str
    next_due_date: dt.date | None
    clocks: list[Clock]
    routing_explanation: list[str]
    timeline: list[TimelineEntry]


CLOCK_LABELS = {
    "contact_mediation_adviser": "Contact a mediation adviser by",
    "appeal": "Appeal to the First-tier Tribunal (SEND) by",
}

_SUMMARY_COLUMNS = (
    Disagreement.reference,
    Disagreement.child_name,
    Disagreement.decision,
    Disagreement.sections,
    Disagreement.scope,
    Disagreement.state,
    Disagreement.local_authority.name.as_alias("local_authority"),
    Disagreement.icb.name.as_alias("icb"),
    Disagreement.next_due_date,
)


def _split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def _summary(row: dict[str, object]) -> CaseSummary:
    return CaseSummary(
        reference=str(row["reference"]),
        child_name=str(row["child_name"]),
        decision=str(row["decision"]),
        sections=_split(str(row["sections"])),
        scope=_split(str(row["scope"])),
        state=str(row["state"]),
        local_authority=str(row["local_authority"]),
        icb=row["icb"] if isinstance(row["icb"], str) else None,
        next_due_date=row["next_due_date"] if isinstance(row["next_due_date"], dt.date) else None,
    )


async def list_cases(user: CurrentUser, *, limit: int = 50, offset: int = 0) -> list[CaseSummary]:
    """The cases this user may see, nearest statutory deadline first; one query, whatever the page size."""
    rows = (
        await Disagreement.select(*_SUMMARY_COLUMNS)
        .where(visible_cases(user))
        .order_by(Disagreement.next_due_date)
        .order_by(Disagreement.id)
        .limit(limit)
        .offset(offset)
    )
    return [_summary(r) for r in rows]


def case_clocks(
    decision: str, sections: list[str], notice_sent: dt.date, calendar: WorkingCalendar | None = None
) -> list[Clock]:
    """The statutory clocks that run from the decision notice, each with its reasoning.

    `calendar` is the local authority's (bank holidays plus its closure days); the rules core itself
    keeps tribunal limits on the national calendar.
    """
    rules = ["contact_mediation_adviser"]
    if route(decision, sections).appeal_available:
        rules.append("appeal")
    clocks = []
    for rule_id in rules:
        start = {"notice_sent": notice_sent} if rule_id == "appeal" else {"start": notice_sent}
        d = compute_deadline(rule_id, start, decision_date=notice_sent, calendar=calendar)
        clocks.append(
            Clock(
                rule=d.rule,
                label=CLOCK_LABELS[rule_id],
                due=d.due,
                citation=d.citation,
                status=d.status,
                explanation=list(d.explanation),
            )
        )
    return clocks


async def get_case(user: CurrentUser, reference: str, *, client: str = "") -> CaseDetail | None:
    """One case if this user may see it (None otherwise, whether or not it exists); staff views are logged."""
    row = (
        await Disagreement.select(
            Disagreement.all_columns(),
            Disagreement.local_authority.name.as_alias("la_name"),
            Disagreement.icb.name.as_alias("icb_name"),
            Disagreement.mediation_service.name.as_alias("service_name"),
            Disagreement.family.full_name.as_alias("family_name"),
        )
        .where((Disagreement.reference == reference) & visible_cases(user))
        .first()
    )
    if row is None:
        return None
    if user.is_staff:
        await audit.record(
            actor=user,
            action="view",
            entity="disagreement",
            entity_id=reference,
            summary="Case viewed",
            disagreement_id=row["id"],
            client=client,
        )
    events = (
        await AuditEvent.select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action, AuditEvent.summary)
        .where((AuditEvent.disagreement_id == row["id"]) & (AuditEvent.action != "view"))
        .order_by(AuditEvent.at)
        .order_by(AuditEvent.id)
    )
    sections = _split(row["sections"])
    return CaseDetail(
        reference=row["reference"],
        child_name=row["child_name"],
        child_date_of_birth=row["child_date_of_birth"],
        decision=row["decision"],
        decision_notice_sent=row["decision_notice_sent"],
        sections=sections,
        scope=_split(row["scope"]),
        arranged_by=row["arranged_by"],
        state=row["state"],
        local_authority=row["la_name"],
        icb=row["icb_name"],
        mediation_service=row["service_name"],
        family_name=row["family_name"],
        next_due_date=row["next_due_date"],
        clocks=case_clocks(
            row["decision"], sections, row["decision_notice_sent"], await calendar_for(row["local_authority"])
        ),
        routing_explanation=list(route(row["decision"], sections).explanation),
        timeline=[
            TimelineEntry(at=e["at"], actor=e["actor_label"], action=e["action"], summary=e["summary"])
            for e in events
        ],
    )


def new_reference() -> str:
    # Random, not sequential: a reference must not reveal how many cases exist or let anyone guess another.
    return "SM-" + secrets.token_hex(4).upper()


async def create_case(
    *,
    family_id: int,
    local_authority_id: int,
    child_name: str,
    child_date_of_birth: dt.date,
    decision: str,
    decision_notice_sent: dt.date,
    sections: list[str],
    actor: CurrentUser | None,
    mediation_service_id: int | None = None,
) -> str:
    routing = route(decision, sections)
    icb_id = await icb_for_la(local_authority_id) if "health" in routing.scope else None
    clocks = case_clocks(decision, sections, decision_notice_sent, await calendar_for(local_authority_id))
    now = dt.datetime.now(dt.UTC)
    row = Disagreement(
        reference=new_reference(),
        family=family_id,
        local_authority=local_authority_id,
        icb=icb_id,
        mediation_service=mediation_service_id,
        child_name=child_name,
        child_date_of_birth=child_date_of_birth,
        decision=decision,
        decision_notice_sent=decision_notice_sent,
        sections=",".join(sorted(set(sections))),
        scope=",".join(routing.scope),
        arranged_by=routing.arranged_by,
        state="lodged",
        next_due_date=min(c.due for c in clocks),
        created_at=now,
        updated_at=now,
    )
    async with transaction():
        await row.save()
        await audit.record(
            actor=actor,
            action="lodge",
            entity="disagreement",
            entity_id=row.reference,
            summary="Disagreement lodged; routed to "
            + (
                "the health commissioner"
                if routing.arranged_by == "health_commissioner"
                else "the local authority"
            ),
            after={"decision": decision, "sections": sections, "scope": list(routing.scope)},
            disagreement_id=row.id,
        )
    return str(row.reference)
