"""A mediation service's people and places: mediator profiles (with independence), weekly working hours,
leave, and venues with their capacity and accessibility features."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw

from mediation import query_building, timekeeping
from mediation.accounts.tables import Account
from mediation.audit import service as audit
from mediation.batched_reads import read_together
from mediation.cases.model import Disagreement
from mediation.db import transaction
from mediation.errors import Invalid
from mediation.identity import CurrentUser
from mediation.organisations.tables import Organisation, OrganisationKind
from mediation.services.tables import MediatorLeave, MediatorProfile, Venue, WorkingHours

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FEATURES = {
    "step_free": "Step-free access",
    "hearing_loop": "Hearing loop",
    "quiet_room": "Quiet room for breaks",
}
NOT_INDEPENDENT_KINDS = {
    OrganisationKind.local_authority.value: "a local authority",
    OrganisationKind.icb.value: "an integrated care board",
}


class MediatorView(msgspec.Struct):
    id: int
    account_id: int
    name: str
    email: str
    employed_by: str | None
    employed_by_nhs_england: bool
    independent: bool
    hours: list[str]
    leave: list[str]


class VenueView(msgspec.Struct):
    id: int
    name: str
    address: str
    capacity: int
    step_free: bool
    hearing_loop: bool
    quiet_room: bool


def not_independent_reason(
    employer_kind: str | None, employer_name: str | None, nhs_england: bool
) -> str | None:
    """CFA s.56(3): a person employed by a local authority in England, an ICB or NHS England is not
    independent, whichever body that is (not only the parties to this case)."""
    if nhs_england:
        return "is employed by NHS England"
    if employer_kind in NOT_INDEPENDENT_KINDS:
        return f"is employed by {NOT_INDEPENDENT_KINDS[employer_kind]} ({employer_name})"
    return None


@functools.cache
def _independence_columns() -> tuple[Any, ...]:
    # Made once: a column named through a foreign key is copied, and dir() called along it, each time.
    return (
        MediatorProfile.employed_by,
        MediatorProfile.employed_by_nhs_england,
        MediatorProfile.employed_by.kind.as_alias("kind"),
        MediatorProfile.employed_by.name.as_alias("employer"),
        MediatorProfile.account.full_name.as_alias("name"),
    )


def independence_query(profile_id: int) -> Any:
    """The mediator's employer, for `independence_from` (a query to read with others)."""
    return query_building.built_once(
        "mediator's employer",
        MediatorProfile.select(*_independence_columns()).where(MediatorProfile.id == profile_id).first(),
    )


def independence_from(row: dict[str, Any] | None, case: Disagreement | None = None) -> str | None:
    """Why the mediator of `independence_query`'s row may not mediate (the case's parties named first)."""
    if row is None:
        return "The mediator was not found"
    reason = not_independent_reason(row["kind"], row["employer"], row["employed_by_nhs_england"])
    if reason is None:
        return None
    party = case is not None and row["employed_by"] in {case.local_authority_id, case.icb_id}
    where = ", a party to this disagreement" if party else ""
    return (
        f"{row['name']} {reason}{where}, so is not independent and cannot mediate "
        "(Children and Families Act 2014 s.56)"
    )


async def independence_problem(profile_id: int, case: Disagreement | None = None) -> str | None:
    """Why this mediator may not mediate (the case's parties named first), or None."""
    return independence_from(await independence_query(profile_id), case)


@functools.cache
def _mediator_columns() -> tuple[Any, ...]:
    return (
        MediatorProfile.id,
        MediatorProfile.account,
        MediatorProfile.account.full_name.as_alias("name"),
        MediatorProfile.account.email.as_alias("email"),
        MediatorProfile.employed_by.name.as_alias("employer"),
        MediatorProfile.employed_by.kind.as_alias("kind"),
        MediatorProfile.employed_by_nhs_england,
    )


# The service's active profiles, for their hours and leave: a subquery (not a join) so that the query's
# SQL before its WHERE can be built once (query_building.built_once).
_ACTIVE_PROFILES = "SELECT id FROM mediator_profile WHERE service = {} AND active"


def _mediator_queries(service_id: int) -> list[Any]:
    """The service's active mediators, their weekly hours and their leave not yet over: three queries
    that do not depend on each other's rows (the hours and leave are chosen by their profile's service)."""
    active = (MediatorProfile.service == service_id) & MediatorProfile.active.eq(True)
    return [
        query_building.built_once(
            "service's mediators",
            MediatorProfile.select(*_mediator_columns()).where(active).order_by(MediatorProfile.id),
        ),
        query_building.built_once(
            "service's mediators' hours",
            WorkingHours.select(*WorkingHours.all_columns())
            .where(WhereRaw(f'"working_hours"."mediator" IN ({_ACTIVE_PROFILES})', service_id))
            .order_by(WorkingHours.weekday),
        ),
        query_building.built_once(
            "service's mediators' leave",
            MediatorLeave.select(*MediatorLeave.all_columns())
            .where(
                WhereRaw(f'"mediator_leave"."mediator" IN ({_ACTIVE_PROFILES})', service_id)
                & (MediatorLeave.last_day >= timekeeping.today())
            )
            .order_by(MediatorLeave.first_day),
        ),
    ]


def _mediator_views(
    rows: list[dict[str, Any]], hours: list[dict[str, Any]], leave: list[dict[str, Any]]
) -> list[MediatorView]:
    return [
        MediatorView(
            id=r["id"],
            account_id=r["account"],
            name=r["name"],
            email=r["email"],
            employed_by=r["employer"],
            employed_by_nhs_england=r["employed_by_nhs_england"],
            independent=not_independent_reason(r["kind"], r["employer"], r["employed_by_nhs_england"])
            is None,
            hours=[
                f"{WEEKDAYS[h['weekday']]} {h['starts']:%H:%M} to {h['ends']:%H:%M}"
                for h in hours
                if h["mediator"] == r["id"]
            ],
            leave=[
                f"{_day(x['first_day'])} to {_day(x['last_day'])}"
                + (f" ({x['reason']})" if x["reason"] else "")
                for x in leave
                if x["mediator"] == r["id"]
            ],
        )
        for r in rows
    ]


async def mediators(service_id: int) -> list[MediatorView]:
    """The service's active mediators with their weekly hours and leave (one statement on PostgreSQL)."""
    return _mediator_views(*await read_together(_mediator_queries(service_id)))


async def mediators_and_venues(service_id: int) -> tuple[list[MediatorView], list[VenueView]]:
    """`mediators` and `venues` of the service read together, for the pages that list both."""
    *mediator_rows, venue_rows = await read_together(
        [*_mediator_queries(service_id), _venue_query(service_id)]
    )
    return _mediator_views(*mediator_rows), [VenueView(**r) for r in venue_rows]


def _day(d: dt.date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _venue_query(service_id: int) -> Any:
    return query_building.built_once(
        "service's rooms",
        Venue.select(
            Venue.id,
            Venue.name,
            Venue.address,
            Venue.capacity,
            Venue.step_free,
            Venue.hearing_loop,
            Venue.quiet_room,
        )
        .where((Venue.service == service_id) & Venue.active.eq(True))
        .order_by(Venue.name),
    )


async def service_staff(service_id: int) -> list[dict[str, Any]]:
    """Mediator accounts of the service that have no profile yet."""
    have = await MediatorProfile.select(MediatorProfile.account).where(MediatorProfile.service == service_id)
    taken = [h["account"] for h in have] or [0]
    return (
        await Account.select(Account.id, Account.full_name)
        .where(
            (Account.organisation == service_id)
            & (Account.role == "mediator")
            & Account.active.eq(True)
            & Account.id.not_in(taken)
        )
        .order_by(Account.full_name)
    )


async def employers() -> list[dict[str, Any]]:
    return (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.kind.is_in([OrganisationKind.local_authority.value, OrganisationKind.icb.value]))
        .order_by(Organisation.name)
    )


async def save_mediator(
    service_id: int, account_id: int | None, employed_by: int | None, nhs_england: bool, *, actor: CurrentUser
) -> int:
    """Add a mediator profile for one of the service's mediator accounts, recording other employment."""
    errors: dict[str, str] = {}
    staff = {s["id"] for s in await service_staff(service_id)}
    if account_id not in staff:
        errors["account"] = "Select a mediator account of this service that has no profile yet"
    if employed_by is not None and employed_by not in {e["id"] for e in await employers()}:
        errors["employed_by"] = "Select the other employer from the list, or None"
    if errors:
        raise Invalid(errors)
    now = timekeeping.now()
    async with transaction():
        row = MediatorProfile(
            account=account_id,
            service=service_id,
            employed_by=employed_by,
            employed_by_nhs_england=nhs_england,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="create",
            entity="mediator_profile",
            entity_id=row.id,
            summary="Mediator profile added",
            after={"account": account_id, "employed_by": employed_by, "nhs_england": nhs_england},
        )
    return int(row.id)


async def _own_mediator(service_id: int, mediator_id: int) -> bool:
    return await MediatorProfile.exists().where(
        (MediatorProfile.id == mediator_id) & (MediatorProfile.service == service_id)
    )


def parse_time(text: str) -> dt.time | None:
    try:
        hours, minutes = text.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        return None


async def add_hours(
    service_id: int, mediator_id: int, weekday: str, starts: str, ends: str, *, actor: CurrentUser
) -> None:
    errors: dict[str, str] = {}
    if not await _own_mediator(service_id, mediator_id):
        errors["mediator"] = "Select one of this service's mediators"
    if weekday not in {"0", "1", "2", "3", "4", "5", "6"}:
        errors["weekday"] = "Select the day of the week"
    start, end = parse_time(starts), parse_time(ends)
    if start is None:
        errors["starts"] = "Enter the start time as hours and minutes, like 09:30"
    if end is None:
        errors["ends"] = "Enter the end time as hours and minutes, like 16:30"
    elif start is not None and end <= start:
        errors["ends"] = "The end time must be after the start time"
    if errors:
        raise Invalid(errors)
    async with transaction():
        await WorkingHours.insert(
            WorkingHours(mediator=mediator_id, weekday=int(weekday), starts=start, ends=end)
        )
        await audit.record(
            actor=actor,
            action="create",
            entity="working_hours",
            entity_id=mediator_id,
            summary=f"Working hours added: {WEEKDAYS[int(weekday)]} {starts} to {ends}",
        )


# Leave is refused over a booked meeting, but the meetings diary is scheduling's, a layer above: it
# registers how to list a mediator's booked meetings between two days when it is imported
# (`scheduling/service.py`; every process imports it at start-up, mediation/capabilities.py).
MeetingsDuring = Callable[[int, dt.date, dt.date], Awaitable[list[str]]]
meetings_during: MeetingsDuring | None = None


def set_meetings_during(find: MeetingsDuring) -> None:
    global meetings_during
    meetings_during = find


async def add_leave(
    service_id: int,
    mediator_id: int,
    first: dt.date | None,
    last: dt.date | None,
    reason: str,
    *,
    actor: CurrentUser,
) -> None:
    errors: dict[str, str] = {}
    if not await _own_mediator(service_id, mediator_id):
        errors["mediator"] = "Select one of this service's mediators"
    if first is None:
        errors["first"] = "Enter the first day of leave"
    if last is None:
        errors["last"] = "Enter the last day of leave"
    elif first is not None and last < first:
        errors["last"] = "The last day of leave must be the same as or after the first day"
    if len(reason) > 120:
        errors["leave_reason"] = "The reason must be 120 characters or fewer"
    if errors:
        raise Invalid(errors)
    assert first is not None and last is not None
    if meetings_during is None:
        raise RuntimeError(
            "a mediator's leave needs mediation.scheduling's diary, which this process never imported "
            "(import mediation.capabilities at start-up, as mediation/app.py does)"
        )
    clashes = await meetings_during(mediator_id, first, last)
    if clashes:
        listed = "; ".join(clashes)
        raise Invalid(
            {
                "first": f"The mediator has a meeting booked during this leave ({listed}). "
                "Move or cancel it first, then record the leave"
            }
        )
    async with transaction():
        await MediatorLeave.insert(
            MediatorLeave(mediator=mediator_id, first_day=first, last_day=last, reason=reason)
        )
        await audit.record(
            actor=actor,
            action="create",
            entity="mediator_leave",
            entity_id=mediator_id,
            summary=f"Leave added: {first} to {last}",
        )


async def add_venue(service_id: int, values: dict[str, str], *, actor: CurrentUser) -> int:
    errors: dict[str, str] = {}
    name, address = values.get("name", "").strip(), values.get("address", "").strip()
    if not name:
        errors["name"] = "Enter the venue's name"
    elif len(name) > 200:
        errors["name"] = "The venue's name must be 200 characters or fewer"
    if not address:
        errors["address"] = "Enter the venue's address"
    capacity = values.get("capacity", "").strip()
    if not (capacity.isascii() and capacity.isdigit()) or not 2 <= int(capacity) <= 100:
        errors["capacity"] = "Enter how many people the room holds, a whole number from 2 to 100"
    if errors:
        raise Invalid(errors)
    flags = {key: values.get(key) == "yes" for key in FEATURES}
    async with transaction():
        row = Venue(service=service_id, name=name, address=address, capacity=int(capacity), **flags)  # type: ignore[arg-type]  # Piccolo types **kwargs as the column dict
        await row.save()
        await audit.record(
            actor=actor,
            action="create",
            entity="venue",
            entity_id=row.id,
            summary=f"Venue added: {name}",
            after={"capacity": int(capacity), **flags},
        )
    return int(row.id)


async def venue_of(venue_id: int | None) -> dict[str, str] | None:
    """A venue's name and address (None for a remote meeting or a venue that is not there)."""
    if not venue_id:
        return None
    return await Venue.select(Venue.name, Venue.address).where(Venue.id == venue_id).first()
