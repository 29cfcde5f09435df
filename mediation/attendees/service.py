"""Officers who must attend a mediation meeting but may never sign in: an LA officer with authority to
agree, or an ICB officer, named on the meeting by name and email alone.

The body arranging mediation names, changes and removes them on the meeting's page; each is a case event
(`attendee_named`, `attendee_changed`, `attendee_removed`) recorded through `cases.events`, so it is
checked, audited and on the case timeline. They get the invite, every move or cancellation and a
reminder by email, and those messages say nothing of the case beyond the meeting: the date and time, the
place or how to join, the case reference and the mediation service's contact. No child's name, no
family, no disagreement, no reason typed for a change (it may describe the case), no link into the case.
Those messages, like every meeting message, are written in `sessions/invites.py` (`send_guest_notice`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from mediation import timekeeping
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.errors import Invalid, NotFound
from mediation.identity import CurrentUser
from mediation.rules.calendar import WorkingCalendar
from mediation.scheduling.slots import LONDON
from mediation.scheduling.tables import SessionAttendee, SessionStatus
from mediation.services.tables import Venue
from mediation.sessions.invites import (
    GUEST_ROLES,
    ROLE_LABELS,
    MeetingCase,
    is_guest,
    load_session,
    send_guest_notice,
    when,
)

EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
NAME_MAX, EMAIL_MAX = 200, 254
REMINDER_WORKING_DAYS = 2  # the reminder goes this many working days before the meeting's day
REMINDER_LOOKAHEAD = dt.timedelta(days=21)

# --- Naming, changing and removing them: case events ---


@dataclass(frozen=True)
class GuestDetails:
    role: str
    name: str
    email: str
    authority: bool


def read_details(case: Disagreement, values: Mapping[str, str]) -> tuple[GuestDetails, dict[str, str]]:
    errors: dict[str, str] = {}
    role = values.get("role", "").strip()
    name = " ".join(values.get("name", "").split())
    email = values.get("email", "").strip().lower()
    if role not in GUEST_ROLES:
        errors["role"] = "Select whether they attend for the local authority or the health commissioner"
    elif role == "icb_officer" and case.icb_id is None:
        errors["role"] = (
            "No health commissioner (ICB) is a party to this case: name a local authority officer"
        )
    if not name:
        errors["name"] = "Enter the officer's full name"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The officer's name must be {NAME_MAX} characters or fewer"
    if not email:
        errors["email"] = "Enter the officer's email address"
    elif len(email) > EMAIL_MAX or not EMAIL.fullmatch(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    return GuestDetails(role, name, email, values.get("authority") == "yes"), errors


async def _booked_session(case: Disagreement, session_id: int) -> dict[str, Any]:
    session = await load_session(session_id)
    if session is None or session["disagreement"] != case.id:
        raise NotFound("Session not found")
    if session["status"] != SessionStatus.booked.value:
        raise Invalid({"name": "Officers can be named only on a booked meeting"})
    return session


async def _taken_emails(session_id: int, exclude: int | None) -> set[str]:
    rows = await SessionAttendee.select(SessionAttendee.id, SessionAttendee.email).where(
        SessionAttendee.session == session_id
    )
    return {r["email"].strip().lower() for r in rows if r["email"] and r["id"] != exclude}


async def _check(
    case: Disagreement, session_id: int, values: Mapping[str, str], *, exclude: int | None = None
) -> GuestDetails:
    details, errors = read_details(case, values)
    if "email" not in errors and details.email in await _taken_emails(session_id, exclude):
        errors["email"] = f"{details.email} is already attending this meeting"
    if exclude is None and (full := await _room_full(session_id)):
        errors.setdefault("name", full)
    if errors:
        raise Invalid(errors)
    return details


async def _room_full(session_id: int) -> str | None:
    """Why one more person cannot attend: the room holds no more (a remote meeting has no limit)."""
    session = await load_session(session_id)
    if session is None or session["remote"] or session["venue"] is None:
        return None
    venue = await Venue.select(Venue.name, Venue.capacity).where(Venue.id == session["venue"]).first()
    attending = await SessionAttendee.count().where(SessionAttendee.session == session_id)
    if venue is None or attending < venue["capacity"]:
        return None
    return (
        f"{venue['name']} holds {venue['capacity']} people and {attending} already attend: "
        "move the meeting to a larger room or online first"
    )


def _label(details: GuestDetails | Mapping[str, Any]) -> str:
    role = details.role if isinstance(details, GuestDetails) else details["role"]
    name = details.name if isinstance(details, GuestDetails) else details["name"]
    return f"{name} ({ROLE_LABELS[role].lower()})"


def _data(session_id: int, details: GuestDetails) -> dict[str, Any]:
    return {
        "session": session_id,
        "role": details.role,
        "name": details.name,
        "email": details.email,
        "authority_to_agree": details.authority,
    }


def _key(attendee_id: int, change: str) -> str:
    # One message per change: each naming, change and removal is its own event, in its own transaction.
    return f"mediation-guest:{attendee_id}:{change}:{secrets.token_hex(6)}"


async def name_guest(
    case: Disagreement, session_id: int, values: Mapping[str, str], *, actor: CurrentUser
) -> Disagreement:
    """`attendee_named`: an officer attends without an account; they get the invite by email."""
    today = timekeeping.today()
    events.check(case, "attendee_named", actor=actor, on=today, on_field="name")
    session = await _booked_session(case, session_id)
    details = await _check(case, session_id, values)

    async def writes(change: Change) -> None:
        fresh = await _booked_session(change.case, session_id)
        row = SessionAttendee(
            session=session_id,
            role=details.role,
            name=details.name,
            email=details.email,
            account=None,
            authority_to_agree=details.authority,
            starts_at=fresh["starts_at"],
            ends_at=fresh["ends_at"],
            status=SessionStatus.booked.value,
        )
        await row.save()
        attendee = {"id": row.id, "role": details.role, "name": details.name, "email": details.email}
        await send_guest_notice(change.case, fresh, attendee, "named", dedupe_key=_key(int(row.id), "named"))

    return await events.record(
        case,
        "attendee_named",
        actor=actor,
        on=today,
        summary=f"{_label(details)} named to attend the mediation meeting on "
        f"{when(session['starts_at'], session['ends_at'])}",
        data=_data(session_id, details),
        writes=writes,
        on_field="name",
    )


async def _guest(session_id: int, attendee_id: int) -> dict[str, Any]:
    row = (
        await SessionAttendee.select()
        .where((SessionAttendee.id == attendee_id) & (SessionAttendee.session == session_id))
        .first()
    )
    if row is None or not is_guest(row):
        raise NotFound("No officer attending without an account has this id on this meeting")
    return row


async def _existing(
    case: Disagreement, event: str, session_id: int, attendee_id: int, actor: CurrentUser
) -> tuple[dt.date, dict[str, Any], GuestDetails]:
    """The checks before changing or removing an officer: the event may happen, the meeting is booked,
    the officer is on it. Returns today, the meeting and the officer's details as they stand."""
    today = timekeeping.today()
    events.check(case, event, actor=actor, on=today, on_field="name")
    session = await _booked_session(case, session_id)
    old = await _guest(session_id, attendee_id)
    return today, session, GuestDetails(old["role"], old["name"], old["email"], old["authority_to_agree"])


async def change_guest(
    case: Disagreement, session_id: int, attendee_id: int, values: Mapping[str, str], *, actor: CurrentUser
) -> Disagreement:
    """`attendee_changed`: a new name, email or authority. A new address gets the invite and the old
    one a cancellation; otherwise the officer gets the updated invitation."""
    today, session, before = await _existing(case, "attendee_changed", session_id, attendee_id, actor)
    details = await _check(case, session_id, values, exclude=attendee_id)
    if before == details:
        raise Invalid({"name": "Nothing has changed: change the name, email address or role, or go back"})

    async def writes(change: Change) -> None:
        fresh = await _booked_session(change.case, session_id)
        current = await _guest(session_id, attendee_id)
        await SessionAttendee.update(
            {
                SessionAttendee.role: details.role,
                SessionAttendee.name: details.name,
                SessionAttendee.email: details.email,
                SessionAttendee.authority_to_agree: details.authority,
            }
        ).where(SessionAttendee.id == attendee_id)
        after = {"id": attendee_id, "role": details.role, "name": details.name, "email": details.email}
        if current["email"].strip().lower() != details.email:
            await send_guest_notice(
                change.case, fresh, current, "removed", dedupe_key=_key(attendee_id, "removed")
            )
            await send_guest_notice(change.case, fresh, after, "named", dedupe_key=_key(attendee_id, "named"))
        else:
            await send_guest_notice(
                change.case, fresh, after, "updated", dedupe_key=_key(attendee_id, "updated")
            )

    return await events.record(
        case,
        "attendee_changed",
        actor=actor,
        on=today,
        summary=f"{_label(before)} attending the mediation meeting on "
        f"{when(session['starts_at'], session['ends_at'])} changed to {_label(details)}",
        data=_data(session_id, details),
        before=_data(session_id, before),
        writes=writes,
        on_field="name",
    )


async def remove_guest(
    case: Disagreement, session_id: int, attendee_id: int, *, actor: CurrentUser
) -> Disagreement:
    """`attendee_removed`: the officer no longer attends; their calendar invite is cancelled."""
    today, session, details = await _existing(case, "attendee_removed", session_id, attendee_id, actor)

    async def writes(change: Change) -> None:
        fresh = await _booked_session(change.case, session_id)
        current = await _guest(session_id, attendee_id)
        await SessionAttendee.delete().where(SessionAttendee.id == attendee_id)
        await send_guest_notice(
            change.case, fresh, current, "removed", dedupe_key=_key(attendee_id, "removed")
        )

    return await events.record(
        case,
        "attendee_removed",
        actor=actor,
        on=today,
        summary=f"{_label(details)} no longer attends the mediation meeting on "
        f"{when(session['starts_at'], session['ends_at'])}",
        before=_data(session_id, details),
        data={"session": session_id},
        writes=writes,
        on_field="name",
    )


async def guests_of(session_id: int) -> list[dict[str, Any]]:
    rows = (
        await SessionAttendee.select()
        .where(SessionAttendee.session == session_id)
        .order_by(SessionAttendee.id)
    )
    return [r for r in rows if is_guest(r)]


# --- The reminder before the meeting (the reminder sweep calls this) ---


def reminder_day(meeting_day: dt.date, calendar: WorkingCalendar) -> dt.date:
    return calendar.working_days_before(meeting_day, REMINDER_WORKING_DAYS).date


async def remind_guests(
    today: dt.date, *, now: dt.datetime | None = None, local_authorities: Collection[int] | None = None
) -> int:
    """Queue the reminder to every officer without an account whose booked meeting is near: from the
    working day REMINDER_WORKING_DAYS before the meeting's day until it starts, once per meeting time
    (a moved meeting is reminded again). Idempotent: each reminder has its own dedupe key."""
    from mediation.db import transaction

    now = now or timekeeping.now()
    a, s = SessionAttendee, SessionAttendee.session
    where = (
        a.account.is_null()
        & a.role.is_in(list(GUEST_ROLES))
        & (a.email != "")
        & (a.status == SessionStatus.booked.value)
        & (s.status == SessionStatus.booked.value)
        & (s.starts_at > now)
        & (s.starts_at < now + REMINDER_LOOKAHEAD)
    )
    if local_authorities is not None:
        where &= s.disagreement.local_authority.is_in(sorted(local_authorities) or [-1])  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
    rows = await a.select(
        a.id,
        a.role,
        a.name,
        a.email,
        a.account,
        s.id.as_alias("session_id"),
        s.starts_at.as_alias("starts_at"),
        s.ends_at.as_alias("ends_at"),
        s.remote.as_alias("remote"),
        s.sequence.as_alias("sequence"),
        s.venue.name.as_alias("venue_name"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        s.venue.address.as_alias("venue_address"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        s.disagreement.id.as_alias("case_id"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        s.disagreement.reference.as_alias("reference"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        s.disagreement.child_name.as_alias("child_name"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        s.disagreement.mediation_service.id.as_alias("service_id"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
    ).where(where)
    calendar = WorkingCalendar()
    queued = 0
    for r in rows:
        meeting_day = r["starts_at"].astimezone(LONDON).date()
        if today < reminder_day(meeting_day, calendar):
            continue
        address = hashlib.sha256(r["email"].strip().lower().encode()).hexdigest()[:16]
        key = f"mediation-guest-reminder:{r['session_id']}:{r['sequence']}:{r['id']}:{address}"
        case = MeetingCase(r["case_id"], r["reference"], r["child_name"], r["service_id"])
        async with transaction():
            queued += await send_guest_notice(case, r, r, "reminder", dedupe_key=key)
    return queued
