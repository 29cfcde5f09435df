"""Changing cases: lodging one (routing it and starting its clocks) and re-routing it when matters change."""

from __future__ import annotations

import datetime as dt
import secrets

import msgspec

from mediation.audit import service as audit
from mediation.cases.tables import CaseDocument, Disagreement, DisputedMatter
from mediation.clocks.service import start_clock, stop_clock
from mediation.clocks.tables import ClockStatus
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.closures import calendar_for
from mediation.organisations.service import icb_for_la
from mediation.rules.routing import RoutingDecision, route


class Matter(msgspec.Struct):
    section: str
    disagreement_text: str
    wanted_text: str


class NewCase(msgspec.Struct, kw_only=True):
    family_id: int
    local_authority_id: int
    child_name: str
    child_date_of_birth: dt.date
    decision: str
    decision_notice_sent: dt.date
    matters: list[Matter] = []
    sections: list[str] = []  # for decisions that are not about plan contents this may stay empty
    lodged_by: str = "parent_carer"
    represented_person: str = ""
    advocate_consent: bool = False
    wants_mediation: bool | None = None
    health_provision_sought: str = ""
    accessibility: dict[str, str] = {}
    contact_by: str = "email"
    contact_email: str = ""
    postal_address: str = ""
    mediation_service_id: int | None = None
    draft_id: int | None = None
    lodged_on: dt.date | None = None


def new_reference() -> str:
    # Random, not sequential: a reference must not reveal how many cases exist or let anyone guess another.
    return "SM-" + secrets.token_hex(4).upper()


def routed_to(routing: RoutingDecision) -> str:
    if routing.arranged_by == "health_commissioner":
        return "the health commissioner (the local authority must tell it within 3 working days)"
    if routing.arranged_by == "local_authority":
        return "the local authority" + (
            ", with the health commissioner as a party" if "health" in routing.scope else ""
        )
    return "no mediation route (a disability discrimination claim goes straight to the tribunal)"


async def _start_lodging_clocks(
    case_id: int, new: NewCase, routing: RoutingDecision, lodged_on: dt.date, actor: CurrentUser | None
) -> None:
    calendar = await calendar_for(new.local_authority_id)
    notice = new.decision_notice_sent
    common = {"decision_date": notice, "calendar": calendar, "actor": actor}
    if (
        routing.certificate_required
    ):  # Regs 33: the adviser step comes before an appeal that needs a certificate
        await start_clock(
            case_id,
            "contact_mediation_adviser",
            {"start": notice},
            started_by="decision notice sent",
            **common,
        )
    if new.decision == "disability_discrimination":
        await start_clock(
            case_id, "discrimination_claim", {"start": notice}, started_by="conduct complained of", **common
        )
    elif routing.appeal_available:
        await start_clock(
            case_id, "appeal", {"notice_sent": notice}, started_by="decision notice sent", **common
        )
    if new.wants_mediation:
        said = "the family told the local authority it wants mediation"
        if routing.arranged_by == "health_commissioner":
            await start_clock(
                case_id, "notify_health_commissioner", {"start": lodged_on}, started_by=said, **common
            )
        elif routing.arranged_by == "local_authority":
            await start_clock(
                case_id, "mediation_held_by_la", {"start": lodged_on}, started_by=said, **common
            )


async def create_case(new: NewCase, *, actor: CurrentUser | None) -> tuple[str, int]:
    """Lodge a disagreement: route it, store it with its matters and documents, start its clocks."""
    sections = sorted({m.section for m in new.matters} | set(new.sections))
    routing = route(new.decision, sections)
    icb_id = await icb_for_la(new.local_authority_id) if "health" in routing.scope else None
    now = dt.datetime.now(dt.UTC)
    lodged_on = new.lodged_on or now.date()
    row = Disagreement(
        reference=new_reference(),
        family=new.family_id,
        local_authority=new.local_authority_id,
        icb=icb_id,
        mediation_service=new.mediation_service_id,
        child_name=new.child_name,
        child_date_of_birth=new.child_date_of_birth,
        decision=new.decision,
        decision_notice_sent=new.decision_notice_sent,
        sections=",".join(sections),
        scope=",".join(routing.scope),
        arranged_by=routing.arranged_by,
        state="lodged",
        created_at=now,
        updated_at=now,
        lodged_by=new.lodged_by,
        represented_person=new.represented_person,
        advocate_consent=new.advocate_consent,
        wants_mediation=new.wants_mediation,
        health_provision_sought=new.health_provision_sought,
        accessibility=new.accessibility,
        contact_by=new.contact_by,
        contact_email=new.contact_email,
        postal_address=new.postal_address,
    )
    async with transaction():
        await row.save()
        if new.matters:
            await DisputedMatter.insert(
                *[
                    DisputedMatter(
                        disagreement=row.id,
                        section=m.section,
                        disagreement_text=m.disagreement_text,
                        wanted_text=m.wanted_text,
                    )
                    for m in new.matters
                ]
            )
        if new.draft_id is not None:
            await CaseDocument.update({CaseDocument.disagreement: row.id}).where(
                CaseDocument.draft_id == new.draft_id
            )
        await audit.record(
            actor=actor,
            action="lodge",
            entity="disagreement",
            entity_id=row.reference,
            summary=f"Disagreement lodged; routed to {routed_to(routing)}",
            after={"decision": new.decision, "sections": sections, "scope": list(routing.scope)},
            disagreement_id=row.id,
        )
        await _start_lodging_clocks(row.id, new, routing, lodged_on, actor)
    return str(row.reference), int(row.id)


class RerouteError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def reroute_case(
    case: dict, sections: list[str], reason: str, *, actor: CurrentUser
) -> RoutingDecision:
    """Change the disputed sections (with a reason); routing, parties and clocks follow."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why the disputed matters have changed"
    try:
        routing = route(case["decision"], sections)
    except ValueError as exc:
        errors["sections"] = str(exc)[0].upper() + str(exc)[1:]
    if errors:
        raise RerouteError(errors)
    before = {"sections": case["sections"], "scope": case["scope"], "arranged_by": case["arranged_by"]}
    icb_id = await icb_for_la(case["local_authority"]) if "health" in routing.scope else None
    today = dt.date.today()
    async with transaction():
        await Disagreement.update(
            {
                Disagreement.sections: ",".join(sorted(set(sections))),
                Disagreement.scope: ",".join(routing.scope),
                Disagreement.arranged_by: routing.arranged_by,
                Disagreement.icb: icb_id,
                Disagreement.routing_reason: reason.strip(),
                Disagreement.updated_at: dt.datetime.now(dt.UTC),
            }
        ).where(Disagreement.id == case["id"])
        after = {
            "sections": ",".join(sorted(set(sections))),
            "scope": ",".join(routing.scope),
            "arranged_by": routing.arranged_by,
        }
        await audit.record(
            actor=actor,
            action="reroute",
            entity="disagreement",
            entity_id=case["reference"],
            summary=f"Re-routed to {routed_to(routing)}: {reason.strip()}",
            before=before,
            after=after,
            disagreement_id=case["id"],
        )
        await _follow_routing(case, routing, today, actor)
    return routing


async def _follow_routing(case: dict, routing: RoutingDecision, today: dt.date, actor: CurrentUser) -> None:
    """The clocks that depend on routing: appeal, and which body must hold mediation."""
    case_id, notice = case["id"], case["decision_notice_sent"]
    calendar = await calendar_for(case["local_authority"])
    common = {"decision_date": notice, "calendar": calendar, "actor": actor}
    why = "disputed matters changed"
    if routing.appeal_available:
        await start_clock(case_id, "appeal", {"notice_sent": notice}, started_by=why, **common)
    else:
        await stop_clock(
            case_id,
            "appeal",
            on=today,
            reason="no appealable matter remains",
            status=ClockStatus.cancelled,
            actor=actor,
        )
    if not case["wants_mediation"]:
        return
    said = "re-routed after the family asked for mediation"
    if routing.arranged_by == "health_commissioner":
        await stop_clock(
            case_id,
            "mediation_held_by_la",
            on=today,
            reason="now health only",
            status=ClockStatus.cancelled,
            actor=actor,
        )
        await start_clock(
            case_id,
            "notify_health_commissioner",
            {"start": today},
            started_by=said,
            keep_running=True,
            **common,
        )
    else:
        await stop_clock(
            case_id,
            "notify_health_commissioner",
            on=today,
            reason="no longer health only",
            status=ClockStatus.cancelled,
            actor=actor,
        )
        await stop_clock(
            case_id,
            "mediation_held_by_icb",
            on=today,
            reason="no longer health only",
            status=ClockStatus.cancelled,
            actor=actor,
        )
        await start_clock(
            case_id, "mediation_held_by_la", {"start": today}, started_by=said, keep_running=True, **common
        )
