"""Organisation closure days: recorded by admins, applied to SEND Regulations working-day clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation import query_building
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.tables import OrganisationClosure
from mediation.rules.calendar import WorkingCalendar, bank_holiday_name


class Closure(msgspec.Struct):
    id: int
    day: dt.date
    reason: str


def closures_query(org_id: int) -> Any:
    """The organisation's closure days, in order (rows for `Closure`, or `calendar_from`)."""
    return query_building.built_once(
        "closure days",
        OrganisationClosure.select(
            OrganisationClosure.id, OrganisationClosure.day, OrganisationClosure.reason
        )
        .where(OrganisationClosure.organisation == org_id)
        .order_by(OrganisationClosure.day),
    )


async def list_closures(org_id: int) -> list[Closure]:
    return [Closure(**r) for r in await closures_query(org_id)]


def calendar_from(rows: list[dict[str, Any]]) -> WorkingCalendar:
    """The working-day calendar of an organisation from `closures_query`'s rows: bank holidays plus them."""
    return WorkingCalendar({r["day"]: r["reason"] for r in rows})


async def calendar_for(org_id: int | None) -> WorkingCalendar:
    """The working-day calendar of one organisation: bank holidays plus its own closure days."""
    if org_id is None:
        return WorkingCalendar()
    return calendar_from(await closures_query(org_id))


async def add_closure(
    org_id: int, day: dt.date | None, reason: str, *, actor: CurrentUser, client: str = ""
) -> dict[str, str]:
    errors: dict[str, str] = {}
    reason = reason.strip()
    if day is not None:
        if day.weekday() >= 5:
            errors["closure-day"] = "The closure day is a weekend, which is never a working day"
        elif (holiday := bank_holiday_name(day)) is not None:
            errors["closure-day"] = f"The closure day is already a bank holiday ({holiday})"
        elif await OrganisationClosure.exists().where(
            (OrganisationClosure.organisation == org_id) & (OrganisationClosure.day == day)
        ):
            errors["closure-day"] = "This closure day is already recorded"
    if not reason:
        errors["closure-reason"] = "Enter why the organisation is closed, for example Council closure day"
    elif len(reason) > 120:
        errors["closure-reason"] = "The reason must be 120 characters or fewer"
    if errors or day is None:
        return errors
    async with transaction():
        row = OrganisationClosure(organisation=org_id, day=day, reason=reason)
        await row.save()
        await audit.record(
            actor=actor,
            action="create",
            entity="organisation_closure",
            entity_id=f"{org_id}:{day.isoformat()}",
            summary=f"Closure day {day.isoformat()} added: {reason}",
            after={"day": day.isoformat(), "reason": reason},
            client=client,
        )
    return {}


async def remove_closure(org_id: int, closure_id: int, *, actor: CurrentUser, client: str = "") -> bool:
    async with transaction():
        row = (
            await OrganisationClosure.select()
            .where((OrganisationClosure.id == closure_id) & (OrganisationClosure.organisation == org_id))
            .first()
        )
        if row is None:
            return False
        await OrganisationClosure.delete().where(OrganisationClosure.id == closure_id)
        await audit.record(
            actor=actor,
            action="delete",
            entity="organisation_closure",
            entity_id=f"{org_id}:{row['day'].isoformat()}",
            summary=f"Closure day {row['day'].isoformat()} removed",
            before={"day": row["day"].isoformat(), "reason": row["reason"]},
            client=client,
        )
    return True
