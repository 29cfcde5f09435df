"""The notice of the date and place of mediation, sent to every attendee with a calendar invite (.ics).

The invite's UID stays the same for the life of a session and its SEQUENCE rises with every change, so
calendar programs update (or, with METHOD:CANCEL, remove) the one event instead of adding another.
Officers attending without an account (named by `attendees/`) get their own message, which says nothing
of the case beyond the meeting (`guest_message`, `send_guest_notice`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from mediation import timekeeping
from mediation.cases.model import Disagreement
from mediation.cases.tables import CaseDocument
from mediation.notify.service import queue_email, queue_letter
from mediation.organisations.tables import Organisation
from mediation.scheduling.slots import when
from mediation.scheduling.tables import MediationSession, SessionAttendee
from mediation.settings import settings

ROLE_LABELS = {
    "family": "Family",
    "la_officer": "Local authority officer",
    "icb_officer": "Health commissioner's officer",
    "mediator": "Mediator",
    "interpreter": "Interpreter",
    "advocate": "Advocate",
}
REMOTE_PLACE = "Online: the mediator sends the joining link before the meeting"


GUEST_ROLES = ("la_officer", "icb_officer")


def is_guest(attendee: dict[str, Any]) -> bool:
    """An LA or ICB officer named on the meeting who has no account here (name and email only)."""
    return attendee.get("account") is None and attendee.get("role") in GUEST_ROLES


def place_of(session: dict[str, Any]) -> str:
    if session["remote"] or not session.get("venue_name"):
        return REMOTE_PLACE
    address = " ".join(str(session.get("venue_address") or "").split())
    return f"{session['venue_name']}, {address}" if address else str(session["venue_name"])


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    return address


def _organiser(session: dict[str, Any]) -> vCalAddress:
    """The mediation service arranging the meeting (Outlook refuses a REQUEST without an ORGANIZER)."""
    email = session.get("service_email") or settings.smtp_from
    return _address(email, session.get("service_name") or "Mediation service")


def build_ics(
    session: dict[str, Any],
    reference: str,
    *,
    cancelled: bool = False,
    description: str | None = None,
    attendee: tuple[str, str] | None = None,
) -> bytes:
    """One VEVENT; no child's name. `attendee` (name, email) is the one person this copy is for: each
    attendee gets their own copy, so nobody sees another's address, and Outlook gets the ATTENDEE it needs.
    `description` replaces the link to the case (an officer without an account gets a contact instead)."""
    calendar = Calendar()
    calendar.add("prodid", "-//send-mediation//mediation sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", session["uid"])
    event.add("sequence", session["sequence"])
    event.add("dtstamp", timekeeping.now().replace(microsecond=0))
    event.add("dtstart", session["starts_at"].astimezone(dt.UTC))
    event.add("dtend", session["ends_at"].astimezone(dt.UTC))
    event.add("summary", f"SEND mediation meeting ({reference})")
    event.add("location", place_of(session))
    event.add(
        "description",
        description
        or f"Mediation meeting for disagreement {reference}. {settings.base_url}/cases/{reference}",
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organiser(session))
    if attendee is not None and attendee[1]:
        person = _address(attendee[1], attendee[0])
        person.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "FALSE"})
        event.add("attendee", person)
    calendar.add_component(event)
    return calendar.to_ical()


async def load_session(session_id: int) -> dict[str, Any] | None:
    return (
        await MediationSession.select(
            *MediationSession.all_columns(),
            MediationSession.venue.name.as_alias("venue_name"),
            MediationSession.venue.address.as_alias("venue_address"),
            MediationSession.mediator.account.full_name.as_alias("mediator_name"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
            MediationSession.disagreement.mediation_service.name.as_alias("service_name"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
            MediationSession.disagreement.mediation_service.email.as_alias("service_email"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
        )
        .where(MediationSession.id == session_id)
        .first()
    )


async def store_invite(
    session: dict[str, Any],
    reference: str,
    *,
    cancelled: bool = False,
    description: str | None = None,
    attendee: tuple[str, str] | None = None,
) -> int:
    """Keep the invite as a document so the outbox attaches the same bytes at send time."""
    content = build_ics(session, reference, cancelled=cancelled, description=description, attendee=attendee)
    row = CaseDocument(
        disagreement=None,  # not listed with the case's uploaded PDFs; served by the mediation pages
        kind="calendar_invite",
        filename=f"mediation-{reference}.ics",
        content_type="text/calendar",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=timekeeping.now(),
    )
    await row.save()
    return int(row.id)


async def send_notices(case: Disagreement, session_id: int, change: str, reason: str = "") -> int:
    """Queue the notice to every attendee (email with the invite, or a letter); call in the transaction.

    `change` is booked, rescheduled or cancelled. Returns how many messages were queued.
    """
    session = await load_session(session_id)
    assert session is not None
    cancelled = change == "cancelled"
    attendees = await SessionAttendee.select().where(SessionAttendee.session == session_id)
    headline = {
        "booked": "Mediation meeting arranged",
        "rescheduled": "Mediation meeting moved",
        "cancelled": "Mediation meeting cancelled",
    }[change]
    lines = [
        f"{headline} for disagreement {case.reference}.",
        "",
        f"Date and time: {when(session['starts_at'], session['ends_at'])}",
        f"Place: {place_of(session)}",
        f"Mediator: {session['mediator_name']}",
    ]
    if session["interpreter"]:
        lines.append(f"Interpreter: {session['interpreter']}")
    if (case.accessibility or {}).get("breaks"):
        lines.append("The family needs regular breaks during the meeting.")
    lines += ["", "Who attends:"] + [
        f"- {ROLE_LABELS.get(a['role'], a['role'])}: {a['name']}" for a in attendees
    ]
    if reason:
        lines += ["", f"Reason for the change: {reason}"]
    if not cancelled:
        lines += [
            "",
            "The calendar invite is attached. If you need any adjustments, contact the mediation service.",
        ]
    lines += ["", f"See the case: {settings.base_url}/cases/{case.reference}"]
    body = "\n".join(lines)
    subject = f"{headline}: {case.reference}"
    queued = 0
    for a in attendees:
        key = f"mediation-session:{session_id}:{session['sequence']}:{change}:{a['id']}"
        if is_guest(a):  # an officer without an account: the meeting only, nothing else of the case
            queued += await send_guest_notice(case, session, a, change, dedupe_key=key)
            continue
        common = {
            "name": a["name"],
            "subject": subject,
            "body_text": body,
            "dedupe_key": key,
            "disagreement_id": case.id,
            "forbidden_names": [case.child_name],
        }
        if a["email"]:
            document_id = await store_invite(
                session, case.reference, cancelled=cancelled, attendee=(a["name"], a["email"])
            )
            attachment = {
                "document_id": document_id,
                "filename": f"mediation-{case.reference}.ics",
                "content_type": "text/calendar",
            }
            queued += await queue_email(to=a["email"], attachments=[attachment], **common)
        elif a["role"] == "family" and case.postal_address:
            queued += await queue_letter(address=case.postal_address, **common)
    return queued


# --- What an officer without an account is sent (attendees/ names them; every meeting message is here) ---

ROLE_WORDS = {"la_officer": "local authority officer", "icb_officer": "health commissioner's officer"}

HEADLINES = {
    "booked": "Invitation to a mediation meeting",
    "named": "Invitation to a mediation meeting",
    "updated": "Your invitation to a mediation meeting was updated",
    "rescheduled": "Mediation meeting moved",
    "cancelled": "Mediation meeting cancelled",
    "removed": "You are no longer expected at a mediation meeting",
    "reminder": "Reminder: mediation meeting",
}
OPENINGS = {
    "booked": "You are invited to a mediation meeting as the {role}.",
    "named": "You are invited to a mediation meeting as the {role}.",
    "updated": "Your invitation to a mediation meeting as the {role} has been updated.",
    "rescheduled": "The mediation meeting you are invited to has moved to a new date or time.",
    "cancelled": "The mediation meeting you were invited to has been cancelled. Your calendar invite is "
    "cancelled too.",
    "removed": "You are no longer expected at this mediation meeting. Your calendar invite is cancelled.",
    "reminder": "A reminder of the mediation meeting you are invited to as the {role}.",
}
CANCELLING = frozenset({"cancelled", "removed"})


@dataclass(frozen=True)
class MeetingCase:
    """What a message to an officer without an account may use of the case, and nothing more."""

    id: int
    reference: str
    child_name: str  # never written: only refused in the subject line
    mediation_service_id: int | None


def meeting_case(case: Disagreement) -> MeetingCase:
    return MeetingCase(case.id, case.reference, case.child_name, case.mediation_service_id)


async def service_contact(service_id: int | None) -> str:
    """'Name, email, phone' of the mediation service: who an officer asks about the meeting."""
    if service_id is None:
        return ""
    row = (
        await Organisation.select(Organisation.name, Organisation.email, Organisation.phone)
        .where(Organisation.id == service_id)
        .first()
    )
    if row is None:
        return ""
    return ", ".join(p for p in (row["name"], row["email"], row["phone"]) if p)


def guest_message(
    case: MeetingCase, session: Mapping[str, Any], attendee: Mapping[str, Any], change: str, contact: str
) -> tuple[str, str]:
    """The subject and body an officer without an account gets: the meeting, and nothing else."""
    role = ROLE_WORDS.get(attendee["role"], "officer")
    place = place_of(dict(session))
    lines = [
        f"Dear {attendee['name']},",
        "",
        OPENINGS[change].format(role=role),
        "",
        f"Date and time: {when(session['starts_at'], session['ends_at'])}",
        f"{'How to join' if session['remote'] else 'Place'}: {place}",
        f"Case reference: {case.reference}",
        "",
    ]
    if change not in CANCELLING and change != "reminder":
        lines += ["The calendar invite is attached.", ""]
    if contact:
        lines += [f"If you have a question about the meeting, contact the mediation service: {contact}.", ""]
    lines += [
        "You do not need an account with this service to attend. This email tells you about the meeting "
        "only; the body that named you can tell you more about the case.",
    ]
    return f"{HEADLINES[change]}: {case.reference}", "\n".join(lines)


def _description(case: MeetingCase, contact: str) -> str:
    ask = f" Questions about the meeting: {contact}." if contact else ""
    return f"Mediation meeting for disagreement {case.reference}.{ask}"


async def send_guest_notice(
    case: Disagreement | MeetingCase,
    session: Mapping[str, Any],
    attendee: Mapping[str, Any],
    change: str,
    *,
    dedupe_key: str,
) -> int:
    """Queue one officer's message (call inside the change's transaction); 1 if queued."""
    if not attendee.get("email"):
        return 0
    meeting = meeting_case(case) if isinstance(case, Disagreement) else case
    contact = await service_contact(meeting.mediation_service_id)
    subject, body = guest_message(meeting, session, attendee, change, contact)
    attachments = []
    if change != "reminder":
        document_id = await store_invite(
            dict(session),
            meeting.reference,
            cancelled=change in CANCELLING,
            description=_description(meeting, contact),
            attendee=(attendee["name"], attendee["email"]),
        )
        attachments.append(
            {
                "document_id": document_id,
                "filename": f"mediation-{meeting.reference}.ics",
                "content_type": "text/calendar",
            }
        )
    queued = await queue_email(
        to=attendee["email"],
        name=attendee["name"],
        subject=subject,
        body_text=body,
        dedupe_key=dedupe_key,
        disagreement_id=meeting.id,
        attachments=attachments,
        forbidden_names=[meeting.child_name],
    )
    return int(queued)
