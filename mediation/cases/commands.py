"""Changing cases as a whole: lodging one exactly once (routing it and starting its clocks), re-routing
it when the disputed matters change, withdrawing and closing it."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.cases import events, repository
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.tables import CaseDocument, DisputedMatter
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.clocks.service import start_clock
from mediation.db import is_unique_violation, transaction
from mediation.errors import Invalid, sentence
from mediation.identity import CurrentUser
from mediation.organisations.service import current_body, icb_for_la
from mediation.rules.errors import RoutingInputError
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
    contact_phone: str = ""
    postal_address: str = ""
    large_print: bool = False
    mediation_service_id: int | None = None
    draft_id: int | None = None
    received_on: dt.date | None = None  # defaults to today
    idempotency_key: str | None = None
    idempotency_hash: str = ""


class AlreadyLodged(Exception):
    """This draft, or this Idempotency-Key, has already become a case (a unique index refused a second).
    Raised inside the refused transaction, which PostgreSQL has aborted: look the first case up with
    `first_case` once that transaction has ended."""

    def __init__(self, new: NewCase, account_id: int | None) -> None:
        super().__init__("this disagreement has already been lodged")
        self.new = new
        self.account_id = account_id

    async def first_case(self) -> Disagreement:
        if self.new.draft_id is not None:
            found = await repository.case_id_for_draft(self.new.draft_id)
            if found is not None:
                return await repository.load_case(found)
        if self.new.idempotency_key is not None and self.account_id is not None:
            keyed = await repository.case_for_idempotency_key(self.account_id, self.new.idempotency_key)
            if keyed is not None:
                return await repository.load_case(keyed[0])
        raise LookupError("the case this disagreement was lodged as cannot be found")


def new_reference() -> str:
    # Random, not sequential: a reference must not reveal how many cases exist or let anyone guess another.
    return "SM-" + secrets.token_hex(4).upper()


# 32 random bits: at a million cases about one lodging in 4,300 draws a reference already taken, and its
# insert is refused by the unique index; it draws again rather than fail (or pass for a repeat lodging).
REFERENCE_ATTEMPTS = 5


def routed_to(routing: RoutingDecision) -> str:
    if routing.arranged_by == "health_commissioner":
        return "the health commissioner (the local authority must tell it within 3 working days)"
    if routing.arranged_by == "local_authority":
        return "the local authority" + (
            ", with the health commissioner as a party" if "health" in routing.scope else ""
        )
    return "no mediation route (a disability discrimination claim goes straight to the tribunal)"


async def _start_lodging_clocks(
    case_id: int, new: NewCase, routing: RoutingDecision, actor: CurrentUser | None
) -> None:
    notice = new.decision_notice_sent
    common: dict[str, Any] = {"decision_date": notice, "recorded_by": actor, "started_on": notice}
    if routing.certificate_required:
        # Regs 33: the adviser step comes before an appeal that needs a certificate.
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


def check_new_case(new: NewCase, today: dt.date) -> RoutingDecision:
    """The checks every way of lodging shares (the journey's pages check each answer first)."""
    errors: dict[str, str] = {}
    sections = sorted({m.section for m in new.matters} | set(new.sections))
    routing = None
    try:
        routing = route(new.decision, sections)
    except RoutingInputError as exc:
        errors["sections"] = sentence(exc.detail)
    if new.decision_notice_sent > today:
        errors["decision_notice_sent"] = "The date the decision notice was sent must be today or in the past"
    received = new.received_on or today
    if received > today:
        errors["received_on"] = "The date the disagreement was received must be today or in the past"
    elif received < new.decision_notice_sent:
        errors["received_on"] = "The date the disagreement was received cannot be before the decision notice"
    if errors:
        raise Invalid(errors)
    assert routing is not None
    return routing


async def create_case(new: NewCase, *, actor: CurrentUser | None) -> Disagreement:
    """Lodge a disagreement: route it, store it with its matters and documents, start its clocks, and
    record the family's request for mediation. Raises AlreadyLodged if its draft or Idempotency-Key has
    already become a case (a unique index decides, so two submits at once still make one case)."""
    today = timekeeping.today()
    routing = check_new_case(new, today)
    sections = sorted({m.section for m in new.matters} | set(new.sections))
    received = new.received_on or today
    # The bodies of the day it is lodged: one that has ended (a merger, a reorganisation) takes no new
    # case, its successor does.
    la_id = await current_body(new.local_authority_id, today)
    icb_id = await icb_for_la(la_id, today) if "health" in routing.scope else None
    service_id = await current_body(new.mediation_service_id, today) if new.mediation_service_id else None
    now = timekeeping.now()
    row = DisagreementRow(
        reference=new_reference(),
        family=new.family_id,
        local_authority=la_id,
        icb=icb_id,
        mediation_service=service_id,
        child_name=new.child_name,
        child_date_of_birth=new.child_date_of_birth,
        decision=new.decision,
        decision_notice_sent=new.decision_notice_sent,
        received_on=received,
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
        contact_phone=new.contact_phone,
        postal_address=new.postal_address,
        large_print=new.large_print,
        lodging_draft=new.draft_id,
        created_by=actor.id if actor else None,
        idempotency_key=new.idempotency_key,
        idempotency_hash=new.idempotency_hash,
    )
    try:
        async with transaction():
            await _insert_with_a_free_reference(row)
            await _store_lodging(row, new, sections, routing, actor)
            case = await repository.load_case(int(row.id))
            if new.wants_mediation and routing.arranged_by is not None:
                # api-contract.md: wanting mediation at lodging is the family telling the arranging body.
                case = await events.record(
                    case,
                    "mediation_requested",
                    actor=actor,
                    on=received,
                    summary="The family asked for mediation when it lodged the disagreement",
                )
    except Exception as exc:
        if is_unique_violation(exc) and (new.draft_id is not None or new.idempotency_key is not None):
            raise AlreadyLodged(new, actor.id if actor else None) from exc
        raise
    return case


async def _insert_with_a_free_reference(row: DisagreementRow) -> None:
    """Insert the case, drawing its reference again while another case has it. ON CONFLICT on the
    reference alone, so nothing aborts the transaction (the API lodges inside one with the family's
    account) and a draft or Idempotency-Key already lodged is still refused by its own index."""
    for _ in range(REFERENCE_ATTEMPTS):
        await DisagreementRow.insert(row).on_conflict(target=DisagreementRow.reference, action="DO NOTHING")
        if row._exists_in_db:  # Piccolo marks the row once the insert returns its id
            return
        row.reference = new_reference()
    raise RuntimeError(f"{REFERENCE_ATTEMPTS} case references drawn, every one already taken")


async def _store_lodging(
    row: DisagreementRow,
    new: NewCase,
    sections: list[str],
    routing: RoutingDecision,
    actor: CurrentUser | None,
) -> None:
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
        action="lodged",
        entity="disagreement",
        entity_id=row.reference,
        summary=f"Disagreement lodged; routed to {routed_to(routing)}",
        after={"decision": new.decision, "sections": sections, "scope": list(routing.scope)},
        disagreement_id=row.id,
    )
    await _start_lodging_clocks(int(row.id), new, routing, actor)


async def reroute_case(
    case: Disagreement, sections: list[str], reason: str, *, actor: CurrentUser
) -> Disagreement:
    """Change the disputed sections (with a reason); routing, parties, matters and clocks follow, and the
    family is told who now handles its disagreement."""
    from mediation.cases.notifications import tell_family_rerouted

    events.check(case, "rerouted", actor=actor, on=timekeeping.today())
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why the disputed matters have changed"
    routing = None
    try:
        routing = route(case.decision, sections)
    except RoutingInputError as exc:
        errors["sections"] = sentence(exc.detail)
    if errors:
        raise Invalid(errors)
    assert routing is not None
    chosen = sorted(set(sections))
    icb_id = await icb_for_la(case.local_authority_id) if "health" in routing.scope else None
    before = {
        "sections": ",".join(case.sections),
        "scope": ",".join(case.scope),
        "arranged_by": case.arranged_by,
    }
    after = {
        "sections": ",".join(chosen),
        "scope": ",".join(routing.scope),
        "arranged_by": routing.arranged_by,
    }

    async def writes(change: Change) -> None:
        await repository.update_case(
            change.case.id,
            {
                "sections": after["sections"],
                "scope": after["scope"],
                "arranged_by": routing.arranged_by,
                "icb": icb_id,
                "routing_reason": reason.strip(),
            },
            timekeeping.now(),
        )
        # Matters no longer in dispute leave the case (they stay in its log).
        await DisputedMatter.delete().where(
            (DisputedMatter.disagreement == change.case.id) & DisputedMatter.section.not_in(chosen or ["-"])
        )
        await tell_family_rerouted(change.case, routing, chosen, reason.strip())

    return await events.record(
        case,
        "rerouted",
        actor=actor,
        on=timekeeping.today(),
        summary=f"Re-routed to {routed_to(routing)}: {reason.strip()}",
        data={"routing": routing, **after},
        before=before,
        writes=writes,
    )


async def withdraw_case(
    case: Disagreement, reason: str, *, actor: CurrentUser, on: dt.date | None = None
) -> Disagreement:
    """The family (or the LA for it) withdraws the disagreement: every clock stops, and its booked meetings
    are cancelled by the writes sessions/service.py registers for `withdrawn` (it reads `data["reason"]`)."""
    day = on or timekeeping.today()
    events.check(case, "withdrawn", actor=actor, on=day)
    if not reason.strip():
        raise Invalid("Enter why the disagreement is being withdrawn", field="reason")
    return await events.record(
        case,
        "withdrawn",
        actor=actor,
        on=day,
        summary=f"Disagreement withdrawn: {reason.strip()}",
        data={"reason": reason.strip()},
    )


async def close_case(
    case: Disagreement, reason: str, *, actor: CurrentUser, on: dt.date | None = None
) -> Disagreement:
    day = on or timekeeping.today()
    events.check(case, "closed", actor=actor, on=day)
    if not reason.strip():
        raise Invalid("Enter why the case is being closed", field="reason")
    return await events.record(
        case,
        "closed",
        actor=actor,
        on=day,
        summary=f"Case closed: {reason.strip()}",
        data={"reason": reason.strip()},
    )
