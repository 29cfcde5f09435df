"""Everything a mediation slot must satisfy, read from the database: the plan (mediator, room or remote,
attendees, adjustments) and the time rules (legal window, notice, working hours, leave, who is busy)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import msgspec

from mediation import query_building, timekeeping
from mediation.accounts.tables import Account
from mediation.batched_reads import read_together
from mediation.cases import repository
from mediation.cases.model import Disagreement
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db_typing import Condition
from mediation.organisations.closures import calendar_from, closures_query
from mediation.rules.calendar import WorkingCalendar
from mediation.scheduling.slots import (
    LONDON,
    NO_WINDOW_SEARCH_DAYS,
    STEP,
    Busy,
    SlotRules,
    SlotSearch,
    find_slots,
    long_day,
    when,
)
from mediation.scheduling.tables import MediationSession, SessionAttendee, SessionStatus
from mediation.services import service as services
from mediation.services.tables import MediatorLeave, MediatorProfile, Venue, WorkingHours

HELD_CLOCKS = ("mediation_held_by_la", "mediation_held_by_icb")
CANCELLED = SessionStatus.cancelled.value  # a session with any other status holds its time
AwareDatetime = Annotated[dt.datetime, msgspec.Meta(tz=True)]  # the API refuses a time without a zone
DURATIONS = {120: "2 hours", 180: "3 hours", 240: "4 hours", 300: "5 hours"}


class SessionPlan(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who and where; `starts_at`/`ends_at` are set when booking an exact slot."""

    mediator_id: int
    venue_id: int | None = None
    remote: bool = False
    duration_minutes: int = 180
    la_officer_id: int | None = None
    icb_officer_id: int | None = None
    authority_confirmed: bool = False  # the officers can agree a settlement (CoP 11)
    interpreter: str = ""
    shorter_notice_consent: bool = False
    needs_hearing_loop: bool = False
    needs_quiet_room: bool = False
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class Needs(msgspec.Struct):
    interpreter: str  # language ("" when none is needed); BSL counts
    step_free: bool
    remote: bool
    la_required: bool
    icb_required: bool
    breaks: bool = False  # regular breaks: the room needs somewhere quiet to take them


def needs_of(case: Disagreement) -> Needs:
    access = case.accessibility or {}
    parties = case.routing.parties
    language = ""
    if access.get("interpreter"):
        language = access["interpreter"] if access["interpreter"] != "yes" else "an interpreter"
    if access.get("bsl"):
        language = "British Sign Language" + (f" and {language}" if language else "")
    return Needs(
        interpreter=language,
        step_free=bool(access.get("step_free")),
        remote=bool(access.get("remote")),
        la_required="local_authority" in parties,
        icb_required=bool(case.icb_id) and "health_commissioner" in parties,
        breaks=bool(access.get("breaks")),
    )


def _officers_query(org_id: int, role: str) -> Any:
    return query_building.built_once(
        "officers who may attend",
        Account.select(Account.id, Account.full_name, Account.email)
        .where((Account.organisation == org_id) & (Account.role == role) & Account.active.eq(True))
        .order_by(Account.full_name),
    )


async def officers(org_id: int | None, role: str) -> list[dict[str, Any]]:
    if org_id is None:
        return []
    return list(await _officers_query(org_id, role))


def _officer_queries(case: Disagreement) -> dict[str, Any]:
    """The queries for `CaseOfficers`, keyed la and icb (none for a body the case does not have)."""
    queries = {}
    if case.local_authority_id is not None:
        queries["la"] = _officers_query(case.local_authority_id, "la_coordinator")
    if case.icb_id is not None:
        queries["icb"] = _officers_query(case.icb_id, "health_commissioner")
    return queries


class CaseOfficers(msgspec.Struct, frozen=True):
    """The active officers of the case's local authority and health commissioner who may attend."""

    la: list[dict[str, Any]]
    icb: list[dict[str, Any]]


def _officers_of(found: dict[str, Any]) -> CaseOfficers:
    return CaseOfficers(la=list(found.get("la", [])), icb=list(found.get("icb", [])))


async def case_officers(case: Disagreement) -> CaseOfficers:
    queries = _officer_queries(case)
    return _officers_of(dict(zip(queries, await read_together(list(queries.values())), strict=True)))


@dataclasses.dataclass(frozen=True)
class PlanFacts:
    """What a plan and its slots are checked against, read together (one statement on PostgreSQL): the
    case's officers who may attend, whether the mediator is an active one of the case's service and why
    they may not be independent, the chosen room, the legal window, the mediator's weekly hours and leave
    from `since`, and the arranging body's calendar for meetings (bank holidays and its own closure days:
    closures block meeting slots; they never move a statutory date, which use the national calendar)."""

    attending: CaseOfficers
    mediator_in_service: bool
    independence: str | None
    venue: dict[str, Any] | None
    window: tuple[dt.date | None, str | None]
    hours: dict[int, list[tuple[dt.time, dt.time]]]
    leave: list[tuple[dt.date, dt.date]]
    calendar: WorkingCalendar


async def plan_facts(case: Disagreement, plan: SessionPlan, *, since: dt.date) -> PlanFacts:
    service = case.mediation_service_id or 0
    queries = _officer_queries(case)
    queries["mediator"] = query_building.built_once(
        "mediator of the service",
        MediatorProfile.select(MediatorProfile.id)
        .where(
            (MediatorProfile.id == plan.mediator_id)
            & (MediatorProfile.service == service)
            & MediatorProfile.active.eq(True)
        )
        .first(),
    )
    queries["independence"] = services.independence_query(plan.mediator_id)
    if plan.venue_id is not None:
        queries["venue"] = query_building.built_once(
            "meeting room",
            Venue.select(*Venue.all_columns())
            .where((Venue.id == plan.venue_id) & (Venue.service == service) & Venue.active.eq(True))
            .first(),
        )
    queries["window"] = _legal_window_query(case.id)
    queries["hours"] = query_building.built_once(
        "mediator's hours",
        WorkingHours.select(*WorkingHours.all_columns()).where(WorkingHours.mediator == plan.mediator_id),
    )
    queries["leave"] = query_building.built_once(
        "mediator's leave from a day",
        MediatorLeave.select(MediatorLeave.first_day, MediatorLeave.last_day).where(
            (MediatorLeave.mediator == plan.mediator_id) & (MediatorLeave.last_day >= since)
        ),
    )
    arranging = case.arranging_organisation_id or case.local_authority_id
    if arranging is not None:
        queries["closures"] = closures_query(arranging)
    found = dict(zip(queries, await read_together(list(queries.values())), strict=True))
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for h in found["hours"]:
        hours.setdefault(h["weekday"], []).append((h["starts"], h["ends"]))
    return PlanFacts(
        attending=_officers_of(found),
        mediator_in_service=found["mediator"] is not None,
        independence=services.independence_from(found["independence"], case),
        venue=found.get("venue"),
        window=_legal_window_from(found["window"]),
        hours=hours,
        leave=[(x["first_day"], x["last_day"]) for x in found["leave"]],
        calendar=calendar_from(found["closures"]) if arranging is not None else WorkingCalendar(),
    )


async def plan_problems(
    case: Disagreement, plan: SessionPlan, *, facts: PlanFacts | None = None
) -> dict[str, str]:
    """Everything about the plan that does not depend on the time; field id -> message. `facts`: the
    plan's facts when the caller has already read them (the schedule page lists the officers too)."""
    errors: dict[str, str] = {}
    facts = facts or await plan_facts(case, plan, since=timekeeping.today())
    attending = facts.attending
    needs = needs_of(case)
    if not case.mediation_service_id:
        errors["mediator"] = "Assign an independent mediation service to the case first"
    elif not facts.mediator_in_service:
        errors["mediator"] = "Select a mediator from the case's mediation service"
    elif problem := facts.independence:
        errors["mediator"] = problem
    if plan.duration_minutes not in DURATIONS:
        errors["duration"] = "Select how long the session lasts"
    attendees = 2 + int(needs.la_required) + int(needs.icb_required) + int(bool(needs.interpreter))
    if plan.remote:
        if plan.venue_id is not None:
            errors["venue"] = "A remote session has no room: select Remote or a room, not both"
    elif needs.remote:
        errors["venue"] = "The family needs to attend remotely: select Remote"
    elif plan.venue_id is None:
        errors["venue"] = "Select a room, or Remote"
    else:
        venue = facts.venue
        if venue is None:
            errors["venue"] = "Select a room of the case's mediation service"
        elif venue["capacity"] < attendees:
            errors["venue"] = f"{venue['name']} holds {venue['capacity']} people; {attendees} will attend"
        elif needs.step_free and not venue["step_free"]:
            errors["venue"] = f"The family needs step-free access and {venue['name']} does not have it"
        elif plan.needs_hearing_loop and not venue["hearing_loop"]:
            errors["venue"] = f"{venue['name']} has no hearing loop"
        elif (plan.needs_quiet_room or needs.breaks) and not venue["quiet_room"]:
            errors["venue"] = (
                f"The family needs regular breaks and {venue['name']} has no quiet room to take them in"
                if needs.breaks
                else f"{venue['name']} has no quiet room for breaks"
            )
    la_ids = {o["id"] for o in attending.la}
    if needs.la_required and plan.la_officer_id not in la_ids:
        errors["la_officer"] = "Select the local authority officer who will attend"
    elif plan.la_officer_id is not None and plan.la_officer_id not in la_ids:
        errors["la_officer"] = "Select an officer of this case's local authority"
    icb_ids = {o["id"] for o in attending.icb}
    if needs.icb_required and plan.icb_officer_id not in icb_ids:
        errors["icb_officer"] = "Select the health commissioner's officer who will attend"
    elif plan.icb_officer_id is not None and plan.icb_officer_id not in icb_ids:
        errors["icb_officer"] = "Select an officer of this case's health commissioner"
    if (plan.la_officer_id or plan.icb_officer_id) and not plan.authority_confirmed:
        errors["authority"] = "Confirm the officers attending can agree how to settle the disagreement"
    if needs.interpreter and not plan.interpreter.strip():
        errors["interpreter"] = f"Book an interpreter ({needs.interpreter}) and enter their name or agency"
    if len(plan.interpreter) > 200:
        errors["interpreter"] = "The interpreter's name must be 200 characters or fewer"
    return errors


def people_in(case: Disagreement, plan: SessionPlan) -> dict[int, str]:
    """Accounts that attend, with how a clash is described."""
    people = {case.family_id: "the family"}
    if plan.la_officer_id:
        people[plan.la_officer_id] = "the local authority officer"
    if plan.icb_officer_id:
        people[plan.icb_officer_id] = "the health commissioner's officer"
    return people


def _legal_window_query(case_id: int) -> Any:
    return query_building.built_once(
        "legal window",
        StatutoryClock.select(StatutoryClock.due, StatutoryClock.rule)
        .where(
            (StatutoryClock.disagreement == case_id)
            & StatutoryClock.rule.is_in(list(HELD_CLOCKS))
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .order_by(StatutoryClock.due)
        .first(),
    )


def _legal_window_from(row: dict[str, Any] | None) -> tuple[dt.date | None, str | None]:
    return (row["due"], row["rule"]) if row else (None, None)


async def legal_window(case_id: int) -> tuple[dt.date | None, str | None]:
    """The due date of the running mediation_held_by_* clock, and its rule, if one runs."""
    return _legal_window_from(await _legal_window_query(case_id))


async def busy_times(
    case: Disagreement,
    plan: SessionPlan,
    since: dt.datetime,
    until: dt.datetime,
    *,
    exclude: int | None = None,
) -> list[Busy]:
    """Live sessions of the mediator and the room, and live attendances of the people, in a range."""
    overlaps = (
        (MediationSession.status != CANCELLED)
        & (MediationSession.starts_at < until)
        & (MediationSession.ends_at > since)
        & (MediationSession.id != (exclude or 0))
    )
    who: Condition = MediationSession.mediator == plan.mediator_id
    if plan.venue_id is not None:
        who = who | (MediationSession.venue == plan.venue_id)
    people = people_in(case, plan)
    sessions, attending = await read_together(
        [
            query_building.built_once(
                "busy sessions",
                MediationSession.select(
                    MediationSession.mediator,
                    MediationSession.venue,
                    MediationSession.starts_at,
                    MediationSession.ends_at,
                ).where(overlaps & who),
            ),
            query_building.built_once(
                "busy attendances",
                SessionAttendee.select(
                    SessionAttendee.account, SessionAttendee.starts_at, SessionAttendee.ends_at
                ).where(
                    SessionAttendee.account.is_in(list(people))
                    & (SessionAttendee.status != CANCELLED)
                    & (SessionAttendee.starts_at < until)
                    & (SessionAttendee.ends_at > since)
                    & (SessionAttendee.session != (exclude or 0))
                ),
            ),
        ]
    )
    busy = [
        Busy(
            s["starts_at"], s["ends_at"], "The mediator" if s["mediator"] == plan.mediator_id else "The room"
        )
        for s in sessions
    ]
    busy += [Busy(a["starts_at"], a["ends_at"], people[a["account"]].capitalize()) for a in attending]
    return busy


async def slot_rules(
    case: Disagreement,
    plan: SessionPlan,
    *,
    since: dt.datetime,
    until: dt.datetime,
    exclude: int | None = None,
    now: dt.datetime | None = None,
    facts: PlanFacts | None = None,
) -> SlotRules:
    """`facts`: the plan's facts read from `since`'s day, when the caller has already read them."""
    now = now or timekeeping.now()
    facts = facts or await plan_facts(case, plan, since=since.date())
    window_end, _ = facts.window
    return SlotRules(
        today=now.astimezone(timekeeping.LONDON).date(),
        now=now,
        calendar=facts.calendar,
        duration=dt.timedelta(minutes=plan.duration_minutes),
        hours=facts.hours,
        leave=facts.leave,
        busy=await busy_times(case, plan, since, until, exclude=exclude),
        window_end=window_end,
        shorter_notice_consent=plan.shorter_notice_consent,
    )


class SearchResult(msgspec.Struct):
    errors: dict[str, str]
    slots: list[tuple[dt.datetime, dt.datetime]]
    reasons: list[str]
    consequence: str
    window_end: dt.date | None


def consequence_of(case: Disagreement, window_end: dt.date | None) -> str:
    if window_end is None:
        return "Try another mediator, room or duration, or ask the family whether they agree to less notice."
    after = (
        "which starts the 3-working-day clock for the mediation adviser to issue a mediation certificate"
        if case.certificate_required
        else "and tell the family; mediation can still be held later"
    )
    return (
        f"No slot fits before the legal limit for holding mediation ({long_day(window_end)}): record that "
        f"mediation cannot be arranged within 30 days, {after}."
    )


async def search(
    case: Disagreement,
    plan: SessionPlan,
    *,
    now: dt.datetime | None = None,
    facts: PlanFacts | None = None,
) -> SearchResult:
    """The slots that satisfy every rule at once, or why there are none and what follows. `facts`: the
    plan's facts read from `now`'s day, when the caller has already read them."""
    now = now or timekeeping.now()
    facts = facts or await plan_facts(case, plan, since=now.date())
    errors = await plan_problems(case, plan, facts=facts)
    window_end = facts.window[0]
    if errors:
        return SearchResult(errors, [], [], "", window_end)
    last = window_end or (now.date() + dt.timedelta(days=NO_WINDOW_SEARCH_DAYS))
    rules = await slot_rules(
        case,
        plan,
        since=now,
        until=dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC),
        now=now,
        facts=facts,
    )
    found: SlotSearch = find_slots(rules)
    consequence = consequence_of(case, window_end) if not found.slots else ""
    return SearchResult(
        {}, [(s.starts_at, s.ends_at) for s in found.slots], found.reasons, consequence, window_end
    )


async def start_times(plan: SessionPlan) -> list[str]:
    """The start times (HH:MM, England) at which a session of the plan's length fits inside one of the
    mediator's working blocks on some weekday: the reschedule list offers nothing outside their hours."""
    length = dt.timedelta(minutes=plan.duration_minutes)
    times: set[str] = set()
    for block in await WorkingHours.select().where(WorkingHours.mediator == plan.mediator_id):
        begin = dt.datetime.combine(dt.date(2000, 1, 3), block["starts"])
        end = dt.datetime.combine(begin.date(), block["ends"])
        while begin + length <= end:
            times.add(f"{begin:%H:%M}")
            begin += STEP
    return sorted(times)


def _case_meetings(case_id: int) -> Any:
    return query_building.built_once(
        "case meetings",
        MediationSession.select(MediationSession.status, MediationSession.starts_at).where(
            (MediationSession.disagreement == case_id)
            & (MediationSession.status != SessionStatus.cancelled.value)
        ),
    )


def _case_facts(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """The diary's part of the case aggregate's `MediationProgress` (cases/repository.py): how many
    meetings are booked, and the day of the latest one not cancelled."""
    live = sum(1 for s in sessions if s["status"] == SessionStatus.booked.value)
    last = max((s["starts_at"] for s in sessions), default=None)
    last_day = last.astimezone(timekeeping.LONDON).date() if last is not None else None
    return {"live_sessions": live, "last_session_on": last_day}


# Every loaded case carries these (cases/repository.py: add_mediation_facts).
repository.add_mediation_facts("scheduling", _case_meetings, _case_facts)


async def _meetings_during(mediator_id: int, first: dt.date, last: dt.date) -> list[str]:
    """Booked meetings of the mediator on any day from `first` to `last` (England's days), in words:
    `services.service.add_leave` refuses leave over them."""
    starts = dt.datetime.combine(first, dt.time(), tzinfo=LONDON)
    ends = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    rows = await MediationSession.select(
        MediationSession.starts_at,
        MediationSession.ends_at,
        MediationSession.disagreement.reference.as_alias("reference"),
    ).where(
        (MediationSession.mediator == mediator_id)
        & (MediationSession.status == SessionStatus.booked.value)
        & (MediationSession.starts_at < ends)
        & (MediationSession.ends_at > starts)
    )
    return [f"{when(r['starts_at'], r['ends_at'])}, case {r['reference']}" for r in rows]


# A mediator's leave is refused over these (services/service.py: set_meetings_during).
services.set_meetings_during(_meetings_during)
