"""The adviser stage as case events: the family contacts the mediation adviser and says whether it wants
mediation (Regs 33-34); the LA tells the ICB of health-only issues; the arranging body says it cannot
arrange mediation in time; the mediation service and mediator are assigned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation import access, query_building, timekeeping
from mediation.advice.tables import MediationRecord
from mediation.cases import events, repository
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.repository import update_case
from mediation.db import transaction
from mediation.errors import Conflict, Invalid
from mediation.identity import CurrentUser
from mediation.organisations.service import exists_on
from mediation.organisations.tables import Organisation, OrganisationKind
from mediation.rules.calendar import format_date
from mediation.services.tables import MediatorProfile

CHOICES = {
    "mediate": "Wants mediation",
    "decline": "Does not want mediation",
    "undecided": "Has not decided yet",
}
CONTACT_LABEL = "the date the family contacted the adviser"


async def _adviser_stage_event(
    case: Disagreement,
    event: str,
    *,
    on: dt.date | None,
    actor: CurrentUser,
    on_field: str,
    label: str,
    summary: str,
    values: dict[Any, Any],
) -> Disagreement:
    """One of the family's steps with the adviser, kept on the case's mediation record as well."""
    events.check(case, event, actor=actor, on=on, on_field=on_field, label=label)
    assert on is not None

    async def writes(change: Change) -> None:
        kept = dict(values)
        if event == "mediation_declined" and change.case.mediation.adviser_contacted_on is None:
            kept[MediationRecord.adviser_contacted_on] = on  # telling the adviser is contacting it
        await save_record(change.case.id, kept)

    return await events.record(
        case,
        event,
        actor=actor,
        on=on,
        summary=summary.format(day=format_date(on)),
        writes=writes,
        on_field=on_field,
        label=label,
    )


async def record_contact(
    case: Disagreement, *, on: dt.date | None, actor: CurrentUser, on_field: str = "on"
) -> Disagreement:
    """`adviser_contacted`: stops the family's 2-month clock to contact an adviser (Regs 33)."""
    return await _adviser_stage_event(
        case,
        "adviser_contacted",
        on=on,
        actor=actor,
        on_field=on_field,
        label=CONTACT_LABEL,
        summary="The family spoke to the mediation adviser on {day}",
        values={MediationRecord.adviser_contacted_on: on},
    )


async def record_request(
    case: Disagreement, *, on: dt.date | None, actor: CurrentUser, on_field: str = "on"
) -> Disagreement:
    """`mediation_requested`: the arranging body's 30 days start (or, health only, the LA's 3 working days
    to tell the ICB)."""
    return await _adviser_stage_event(
        case,
        "mediation_requested",
        on=on,
        actor=actor,
        on_field=on_field,
        label="the date the family asked for mediation",
        summary="The family asked for mediation on {day}",
        values={MediationRecord.choice: "mediate", MediationRecord.choice_on: on},
    )


async def record_decline(
    case: Disagreement, *, on: dt.date | None, actor: CurrentUser, on_field: str = "on"
) -> Disagreement:
    """`mediation_declined`: where a certificate is needed, the adviser has 3 working days (Regs 34)."""
    return await _adviser_stage_event(
        case,
        "mediation_declined",
        on=on,
        actor=actor,
        on_field=on_field,
        label="the date the family said it does not want mediation",
        summary="The family said on {day} it does not want mediation",
        values={MediationRecord.choice: "decline", MediationRecord.choice_on: on},
    )


async def record_advice(
    case: Disagreement, *, contacted_on: dt.date | None, choice: str, actor: CurrentUser
) -> Disagreement:
    """The adviser page's form: the family's contact with the adviser and, if made, its choice, as one
    change (`adviser_contacted`, then `mediation_requested` or `mediation_declined`)."""
    events.require(case, "adviser_contacted", actor=actor)
    errors: dict[str, str] = {}
    if contacted_on is None:
        errors["contacted-day"] = "Enter the date the family contacted the adviser"
    elif contacted_on > timekeeping.today():
        errors["contacted-day"] = "The date the family contacted the adviser must be today or in the past"
    if choice not in CHOICES:
        errors["choice"] = "Select whether the family wants mediation"
    else:
        wanted = {"mediate": "mediation_requested", "decline": "mediation_declined"}.get(choice)
        if wanted and wanted in case.allowed_events and not access.may(actor, wanted, case):
            errors["choice"] = (
                "Only the family, the local authority or the ICB can record that the family wants mediation"
                if choice == "mediate"
                else access.refusal(wanted)
            )
    if errors:
        raise Invalid(errors)
    assert contacted_on is not None
    recorded = False
    async with transaction():
        if not case.facts.adviser_contacted:
            case = await record_contact(case, on=contacted_on, actor=actor, on_field="contacted-day")
            recorded = True
        if choice == "mediate" and "mediation_requested" in case.allowed_events:
            case = await record_request(case, on=contacted_on, actor=actor, on_field="contacted-day")
            recorded = True
        elif choice == "decline":
            case = await record_decline(case, on=contacted_on, actor=actor, on_field="contacted-day")
            recorded = True
    if not recorded:
        raise Conflict(
            "The family's contact with the adviser is already recorded"
            + (" and it has already asked for mediation" if choice == "mediate" else ""),
            field="choice",
        )
    return case


async def notify_icb(case: Disagreement, *, notified_on: dt.date | None, actor: CurrentUser) -> Disagreement:
    """`health_commissioner_notified`: the LA told the ICB the health-only issues; the ICB's 30 days start."""
    label = "the date the health commissioner was told"
    events.check(
        case,
        "health_commissioner_notified",
        actor=actor,
        on=notified_on,
        on_field="notified-day",
        label=label,
    )
    assert notified_on is not None

    async def writes(change: Change) -> None:
        await save_record(change.case.id, {MediationRecord.icb_notified_on: notified_on})

    return await events.record(
        case,
        "health_commissioner_notified",
        actor=actor,
        on=notified_on,
        summary=f"The local authority told the health commissioner on {format_date(notified_on)}",
        writes=writes,
        on_field="notified-day",
        label=label,
    )


async def unable_to_arrange(
    case: Disagreement, *, told_on: dt.date | None, reason: str, actor: CurrentUser
) -> Disagreement:
    """`mediation_cannot_be_arranged`: the arranging body told the adviser it cannot hold mediation within
    30 days; the adviser has 3 working days to issue a certificate (the 'deemed mediation' one)."""
    label = "the date the mediation adviser was told"
    events.check(
        case, "mediation_cannot_be_arranged", actor=actor, on=told_on, on_field="told-day", label=label
    )
    if not reason.strip():
        raise Invalid({"reason": "Enter why mediation cannot be held within 30 days"})
    assert told_on is not None

    async def writes(change: Change) -> None:
        await save_record(
            change.case.id,
            {MediationRecord.unable_to_arrange_on: told_on, MediationRecord.unable_reason: reason.strip()},
        )

    return await events.record(
        case,
        "mediation_cannot_be_arranged",
        actor=actor,
        on=told_on,
        summary=f"Mediation cannot be held within 30 days: {reason.strip()}",
        data={"reason": reason.strip()},
        writes=writes,
        on_field="told-day",
        label=label,
    )


async def mediation_services() -> list[dict[str, Any]]:
    return (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(
            (Organisation.kind == OrganisationKind.mediation_service.value)
            & Organisation.active.eq(True)
            & exists_on()  # a service that has ended takes no new case
        )
        .order_by(Organisation.name)
    )


async def assign_service(case: Disagreement, service_id: int | None, *, actor: CurrentUser) -> Disagreement:
    """`service_assigned`: the arranging body names the independent mediation service."""
    today = timekeeping.today()
    events.check(case, "service_assigned", actor=actor, on=today)
    services = {s["id"]: s["name"] for s in await mediation_services()}
    if service_id not in services:
        raise Invalid({"service": "Select an independent mediation service"})
    assert service_id is not None

    async def writes(change: Change) -> None:
        await update_case(change.case.id, {"mediation_service": service_id}, timekeeping.now())
        if change.case.mediation_service_id != service_id:
            await save_record(change.case.id, {MediationRecord.mediator: None})

    return await events.record(
        case,
        "service_assigned",
        actor=actor,
        on=today,
        summary=f"Mediation service: {services[service_id]}",
        data={"service": service_id},
        writes=writes,
    )


async def assign_mediator(case: Disagreement, mediator_id: int | None, *, actor: CurrentUser) -> Disagreement:
    """`mediator_assigned`: the mediation service assigns one of its mediators, refusing one who is not
    independent (CFA s.56(3))."""
    from mediation.services.service import independence_problem

    today = timekeeping.today()
    events.check(case, "mediator_assigned", actor=actor, on=today)
    profile = (
        await MediatorProfile.select(MediatorProfile.id, MediatorProfile.account.full_name.as_alias("name"))
        .where(
            (MediatorProfile.id == (mediator_id or 0))
            & (MediatorProfile.service == (case.mediation_service_id or 0))
            & MediatorProfile.active.eq(True)
        )
        .first()
    )
    if profile is None:
        raise Invalid({"mediator": "Select a mediator from this case's mediation service"})
    problem = await independence_problem(profile["id"], case)
    if problem:
        raise Invalid({"mediator": problem})

    async def writes(change: Change) -> None:
        await save_record(change.case.id, {MediationRecord.mediator: profile["id"]})

    return await events.record(
        case,
        "mediator_assigned",
        actor=actor,
        on=today,
        summary=f"Mediator assigned: {profile['name']}",
        writes=writes,
    )


async def save_record(case_id: int, values: dict[Any, Any]) -> None:
    """Create the case's mediation record on first use, then update it; call inside a transaction."""
    now = timekeeping.now()
    updated = (
        await MediationRecord.update({**values, MediationRecord.updated_at: now})
        .where(MediationRecord.disagreement == case_id)
        .returning(MediationRecord.id)
    )
    if not updated:
        row = MediationRecord(disagreement=case_id, created_at=now, updated_at=now)
        for column, value in values.items():
            setattr(row, column._meta.name, value)
        await row.save()


def _case_record(case_id: int) -> Any:
    return query_building.built_once(
        "case mediation record",
        MediationRecord.select().where(MediationRecord.disagreement == case_id).first(),
    )


def _case_facts(record: dict[str, Any] | None) -> dict[str, Any]:
    """The adviser stage's part of the case aggregate's `MediationProgress` (cases/repository.py)."""
    if record is None:
        return {}
    return {
        "adviser_contacted_on": record["adviser_contacted_on"],
        "choice": record["choice"],
        "choice_on": record["choice_on"],
        "icb_notified_on": record["icb_notified_on"],
        "unable_to_arrange_on": record["unable_to_arrange_on"],
        "unable_reason": record["unable_reason"],
        "concluded_on": record["concluded_on"],
        "outcome": record["outcome"],
        "agreement_date": record["agreement_date"],
        "agreement_text": record["agreement_text"],
        "follow_up_order": record["follow_up_order"],
        "agreed_due": record["agreed_due"],
        "outside_certificate_on": record["outside_certificate_on"],
        "outside_certificate_number": record["outside_certificate_number"],
        "mediator_id": record["mediator"],
    }


# Every loaded case carries this record (cases/repository.py: add_mediation_facts).
repository.add_mediation_facts("advice", _case_record, _case_facts)
