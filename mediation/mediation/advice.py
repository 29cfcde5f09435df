"""The adviser stage: the family contacts the mediation adviser and says whether it wants mediation
(Regs 33-34); the LA tells the ICB of health-only issues; the arranging body says it cannot arrange."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation.audit import service as audit
from mediation.cases.tables import Disagreement
from mediation.clocks.service import start_clock, stop_clock
from mediation.clocks.tables import ClockStatus
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.mediation.common import (
    HELD_CLOCKS,
    MediationError,
    arranging_calendar,
    check_date,
    move,
    organisation_email,
    record_of,
    routing_of,
    save_record,
)
from mediation.mediation.slots import long_day
from mediation.mediation.tables import MediationRecord, MediatorProfile
from mediation.notify.service import queue_email
from mediation.organisations.tables import Organisation, OrganisationKind
from mediation.rules.calendar import format_date
from mediation.settings import settings

CHOICES = {
    "mediate": "Wants mediation",
    "decline": "Does not want mediation",
    "undecided": "Has not decided yet",
}


async def _clock_args(case: dict[str, Any], actor: CurrentUser) -> dict[str, Any]:
    return {
        "decision_date": case["decision_notice_sent"],
        "calendar": await arranging_calendar(case),
        "actor": actor,
    }


async def record_advice(
    case: dict[str, Any], *, contacted_on: dt.date | None, choice: str, actor: CurrentUser
) -> None:
    """Record that the family contacted the adviser (stops the Regs 33 clock) and its choice."""
    errors: dict[str, str] = {}
    check_date(
        errors,
        "contacted",
        contacted_on,
        "the date the family contacted the adviser",
        not_before=case["decision_notice_sent"],
    )
    if choice not in CHOICES:
        errors["choice"] = "Select whether the family wants mediation"
    routing = routing_of(case)
    if routing.arranged_by is None:
        errors["choice"] = "Mediation does not apply to a disability discrimination claim"
    if errors:
        raise MediationError(errors)
    assert contacted_on is not None
    record = await record_of(case["id"])
    common = await _clock_args(case, actor)
    async with transaction():
        values: dict[Any, Any] = {MediationRecord.choice: choice, MediationRecord.choice_on: contacted_on}
        if record is None or record["adviser_contacted_on"] is None:
            values[MediationRecord.adviser_contacted_on] = contacted_on
        await save_record(case["id"], values)
        await stop_clock(
            case["id"],
            "contact_mediation_adviser",
            on=contacted_on,
            reason="the family contacted the mediation adviser",
            actor=actor,
        )
        if case["state"] == "lodged":
            await move(
                case,
                "give_mediation_advice",
                actor,
                f"The family spoke to the mediation adviser on {format_date(contacted_on)}",
            )
        if choice == "mediate":
            await _wants_mediation(case, contacted_on, routing.arranged_by, actor, common)
        elif choice == "decline":
            await _declines(case, contacted_on, routing.certificate_required, actor, common)


async def _set_wants(case: dict[str, Any], wants: bool) -> None:
    await Disagreement.update(
        {Disagreement.wants_mediation: wants, Disagreement.updated_at: dt.datetime.now(dt.UTC)}
    ).where(Disagreement.id == case["id"])
    case["wants_mediation"] = wants


async def _wants_mediation(
    case: dict[str, Any],
    told_on: dt.date,
    arranged_by: str | None,
    actor: CurrentUser,
    common: dict[str, Any],
) -> None:
    if case["state"] != "mediation_requested":
        await move(
            case, "request_mediation", actor, f"The family asked for mediation on {format_date(told_on)}"
        )
    await _set_wants(case, True)
    said = "the family said it wants mediation"
    if arranged_by == "health_commissioner":
        # Health only: the LA has 3 working days to tell the ICB; the ICB's 30 days start then.
        await start_clock(
            case["id"],
            "notify_health_commissioner",
            {"start": told_on},
            started_by=said,
            keep_running=True,
            **common,
        )
        org_id, body = case["local_authority"], "tell the health commissioner (ICB) the mediation issues"
    else:
        # Lodging may already have started it: the law's clock keeps its first date.
        await start_clock(
            case["id"],
            "mediation_held_by_la",
            {"start": told_on},
            started_by=said,
            keep_running=True,
            **common,
        )
        org_id, body = case["local_authority"], "arrange mediation within 30 days"
    await _tell_organisation(
        case,
        org_id,
        f"mediation-requested:{case['reference']}",
        f"Mediation requested: case {case['reference']}",
        f"The family in case {case['reference']} told the mediation adviser on {long_day(told_on)} "
        f"that it wants mediation. The local authority must now {body}.",
    )


async def _declines(
    case: dict[str, Any],
    told_on: dt.date,
    certificate_required: bool,
    actor: CurrentUser,
    common: dict[str, Any],
) -> None:
    await move(
        case,
        "decline_mediation",
        actor,
        f"The family said on {format_date(told_on)} it does not want mediation",
    )
    await _set_wants(case, False)
    for rule in ("notify_health_commissioner", *HELD_CLOCKS):
        await stop_clock(
            case["id"],
            rule,
            on=told_on,
            reason="the family does not want mediation",
            status=ClockStatus.cancelled,
            actor=actor,
        )
    if certificate_required:
        # Regs 34: the adviser must issue a certificate within 3 working days.
        await start_clock(
            case["id"],
            "certificate_after_decline",
            {"start": told_on},
            started_by="the family told the adviser it does not want mediation",
            **common,
        )


async def _tell_organisation(
    case: dict[str, Any], org_id: int | None, key: str, subject: str, body: str
) -> None:
    name, email = await organisation_email(org_id)
    if not email:
        return
    await queue_email(
        to=email,
        name=name,
        subject=subject,
        dedupe_key=key,
        disagreement_id=case["id"],
        body_text=f"{body}\n\nSee the case: {settings.base_url}/cases/{case['reference']}/mediation",
        forbidden_names=[case["child_name"]],
    )


async def notify_icb(case: dict[str, Any], *, notified_on: dt.date | None, actor: CurrentUser) -> None:
    """The LA records that it told the ICB the health-only mediation issues: the ICB's 30 days start."""
    errors: dict[str, str] = {}
    if case["arranged_by"] != "health_commissioner" or not case["icb"]:
        errors["notified-day"] = "Only a health-only disagreement is passed to the health commissioner"
    elif not case["wants_mediation"]:
        errors["notified-day"] = "The family has not said it wants mediation"
    check_date(
        errors,
        "notified",
        notified_on,
        "the date the health commissioner was told",
        not_before=case["decision_notice_sent"],
    )
    if errors:
        raise MediationError(errors)
    assert notified_on is not None
    common = await _clock_args(case, actor)
    async with transaction():
        await save_record(case["id"], {MediationRecord.icb_notified_on: notified_on})
        await stop_clock(
            case["id"],
            "notify_health_commissioner",
            on=notified_on,
            reason="the local authority told the health commissioner",
            actor=actor,
        )
        await start_clock(
            case["id"],
            "mediation_held_by_icb",
            {"start": notified_on},
            started_by="the local authority told the health commissioner the mediation issues",
            keep_running=True,
            **common,
        )
        await audit.record(
            actor=actor,
            action="notify_icb",
            entity="disagreement",
            entity_id=case["reference"],
            summary=f"The local authority told the health commissioner on {format_date(notified_on)}",
            disagreement_id=case["id"],
        )
        await _tell_organisation(
            case,
            case["icb"],
            f"icb-notified:{case['reference']}",
            f"Mediation to arrange: case {case['reference']}",
            f"The local authority has told you the health mediation issues in case {case['reference']} "
            f"({long_day(notified_on)}). You must arrange mediation within 30 days of that date.",
        )


async def unable_to_arrange(
    case: dict[str, Any], *, told_on: dt.date | None, reason: str, actor: CurrentUser
) -> None:
    """The arranging body tells the adviser it cannot hold mediation within 30 days: the adviser has
    3 working days to issue a certificate (the 'deemed mediation' certificate)."""
    errors: dict[str, str] = {}
    if case["state"] not in {"mediation_requested", "session_arranged"}:
        errors["told-day"] = (
            "This can be recorded only after the family asks for mediation and before it is held"
        )
    check_date(
        errors,
        "told",
        told_on,
        "the date the mediation adviser was told",
        not_before=case["decision_notice_sent"],
    )
    if not reason.strip():
        errors["reason"] = "Enter why mediation cannot be held within 30 days"
    if errors:
        raise MediationError(errors)
    assert told_on is not None
    routing = routing_of(case)
    common = await _clock_args(case, actor)
    async with transaction():
        await save_record(
            case["id"],
            {MediationRecord.unable_to_arrange_on: told_on, MediationRecord.unable_reason: reason.strip()},
        )
        await audit.record(
            actor=actor,
            action="unable_to_arrange",
            entity="disagreement",
            entity_id=case["reference"],
            disagreement_id=case["id"],
            summary=f"Mediation cannot be held within 30 days: {reason.strip()}",
        )
        if routing.certificate_required:
            await start_clock(
                case["id"],
                "certificate_unable_to_arrange",
                {"start": told_on},
                started_by="the arranging body said it cannot hold mediation within 30 days",
                **common,
            )
        await _tell_organisation(
            case,
            case["mediation_service"],
            f"unable:{case['reference']}:{told_on.isoformat()}",
            f"Mediation cannot be arranged in time: case {case['reference']}",
            f"The arranging body says mediation in case {case['reference']} cannot be held within 30 days "
            f"({reason.strip()}). The mediation adviser must issue a certificate within 3 working days.",
        )


async def mediation_services() -> list[dict[str, Any]]:
    return (
        await Organisation.select(Organisation.id, Organisation.name)
        .where((Organisation.kind == OrganisationKind.mediation_service.value) & Organisation.active.eq(True))
        .order_by(Organisation.name)
    )


async def assign_service(case: dict[str, Any], service_id: int | None, *, actor: CurrentUser) -> None:
    """The arranging body names the independent mediation service that advises and mediates."""
    if service_id not in {s["id"] for s in await mediation_services()}:
        raise MediationError({"service": "Select an independent mediation service"})
    async with transaction():
        await Disagreement.update(
            {Disagreement.mediation_service: service_id, Disagreement.updated_at: dt.datetime.now(dt.UTC)}
        ).where(Disagreement.id == case["id"])
        if case["mediation_service"] != service_id:
            await save_record(case["id"], {MediationRecord.mediator: None})
        name, _ = await organisation_email(service_id)
        await audit.record(
            actor=actor,
            action="assign_service",
            entity="disagreement",
            entity_id=case["reference"],
            summary=f"Mediation service: {name}",
            before={"service": case["mediation_service"]},
            after={"service": service_id},
            disagreement_id=case["id"],
        )


async def assign_mediator(case: dict[str, Any], mediator_id: int | None, *, actor: CurrentUser) -> None:
    """The mediation service assigns one of its mediators, refusing one who is not independent."""
    from mediation.mediation.people import independence_problem

    profile = (
        await MediatorProfile.select(MediatorProfile.id, MediatorProfile.account.full_name.as_alias("name"))
        .where(
            (MediatorProfile.id == (mediator_id or 0))
            & (MediatorProfile.service == (case["mediation_service"] or 0))
            & MediatorProfile.active.eq(True)
        )
        .first()
    )
    if profile is None:
        raise MediationError({"mediator": "Select a mediator from this case's mediation service"})
    problem = await independence_problem(profile["id"], case)
    if problem:
        raise MediationError({"mediator": problem})
    async with transaction():
        await save_record(case["id"], {MediationRecord.mediator: profile["id"]})
        await audit.record(
            actor=actor,
            action="assign_mediator",
            entity="disagreement",
            entity_id=case["reference"],
            summary=f"Mediator assigned: {profile['name']}",
            disagreement_id=case["id"],
        )
