"""Finding a time with everyone: the coordinator proposes times the slot finder allows, each invitee (the
family, the LA officer who can decide, the ICB officer, an advocate) answers yes, if need be or no by
their own signed link, and the coordinator books the best time, every rule checked again.

Opening a poll is the case event `session_offered` (times offered; the case's state does not move) and
booking from it is `session_booked`, both through `cases.events`. An answer changes no case: it is
audited. A link names one invitee and a random nonce, signed (accounts/tokens.py); the nonce is checked
against the row, so a link answers only for the person it was sent to.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mediation import timekeeping
from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token
from mediation.attendees.service import EMAIL, EMAIL_MAX, NAME_MAX
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.errors import Invalid
from mediation.notify.service import queue_email, queue_for_person
from mediation.offers.service import (
    add_code_holder,
    allowed_slots,
    handling_body,
    new_code,
    parse_slot,
    plan_dict,
    show_code,
)
from mediation.offers.service import reply_by_for as offer_reply_by
from mediation.polls.tables import MeetingPoll, PollInvitee
from mediation.rules.calendar import WorkingCalendar, format_long_date
from mediation.scheduling.service import SessionPlan, plan_problems
from mediation.sessions.invites import when
from mediation.settings import settings

PURPOSE = "meeting_poll"
MAX_SLOTS = 8
ANSWERS = {"yes": "Yes", "maybe": "If need be", "no": "No"}
ROLE_WORDS = {
    "family": "Family",
    "la_officer": "Local authority officer",
    "icb_officer": "Health commissioner's officer",
    "advocate": "Advocate",
}
GUEST_ROLES = ("advocate", "la_officer", "icb_officer")
REMIND_WORKING_DAYS = 2  # the first reminder goes this many working days before the reply-by date


@dataclass(frozen=True)
class Guest:
    """An invitee without an account here: known by name and email alone."""

    role: str
    name: str
    email: str


def read_guest(case: Disagreement, values: Mapping[str, str]) -> tuple[Guest | None, dict[str, str]]:
    """The optional guest from the form (`guest_role`, `guest_name`, `guest_email`); None when blank."""
    role = values.get("guest_role", "").strip()
    name = " ".join(values.get("guest_name", "").split())
    email = values.get("guest_email", "").strip().lower()
    if not (name or email):
        return None, {}
    errors: dict[str, str] = {}
    if role not in GUEST_ROLES or (role == "icb_officer" and case.icb_id is None):
        errors["guest_role"] = "Select who the person you are inviting attends for"
    if not name:
        errors["guest_name"] = "Enter the full name of the person you are inviting"
    elif len(name) > NAME_MAX:
        errors["guest_name"] = f"The name must be {NAME_MAX} characters or fewer"
    if not email:
        errors["guest_email"] = "Enter the email address of the person you are inviting"
    elif len(email) > EMAIL_MAX or not EMAIL.fullmatch(email):
        errors["guest_email"] = "Enter an email address in the correct format, like name@example.com"
    return Guest(role, name, email), errors


def reply_by_for(first_start: dt.datetime, *, shorter_notice: bool) -> dt.date:
    """The last day to answer: the working day before the last day a booking still gives the notice the
    law requires before the first proposed time, so the coordinator has a day to book and send it."""
    last_booking_day = offer_reply_by(first_start, shorter_notice=shorter_notice)
    return WorkingCalendar().working_days_before(last_booking_day, 1).date


def slot_key(slot: Mapping[str, str]) -> str:
    return f"{slot['starts_at']}/{slot['ends_at']}"


def best_slot(slots: Sequence[Mapping[str, str]], invitees: Sequence[Mapping[str, Any]]) -> str | None:
    """Most yes, then fewest no, then the earliest; None until someone has answered."""
    if not any(i["answered_at"] for i in invitees):
        return None

    def score(slot: Mapping[str, str]) -> tuple[int, int, str]:
        key = slot_key(slot)
        said = [i["answers"].get(key) for i in invitees]
        return (-said.count("yes"), said.count("no"), parse_slot(key)[0].isoformat())  # type: ignore[index]

    return slot_key(min(slots, key=score)) if slots else None


def link_for(invitee_id: int, nonce: str, valid_until: dt.datetime) -> str:
    seconds = max(int((valid_until - dt.datetime.now(dt.UTC)).total_seconds()), 60)
    token = make_token(PURPOSE, f"{invitee_id}.{nonce}", valid_for_seconds=seconds)
    return f"{settings.base_url}/meeting-polls/{token}"


def last_start(poll: Mapping[str, Any]) -> dt.datetime:
    return max(dt.datetime.fromisoformat(s["starts_at"]) for s in poll["slots"])


async def _invitees(case: Disagreement, plan: SessionPlan, guest: Guest | None) -> list[dict[str, Any]]:
    ids = [i for i in (plan.la_officer_id, plan.icb_officer_id) if i]
    accounts = {
        a["id"]: a
        for a in await Account.select(Account.id, Account.full_name, Account.email).where(
            Account.id.is_in(ids or [-1])
        )
    }
    family_email = case.written_email  # "" when the family asked for post: a letter with a code
    people = [{"role": "family", "name": case.family_name, "email": family_email, "account": case.family_id}]
    for role, officer in (("la_officer", plan.la_officer_id), ("icb_officer", plan.icb_officer_id)):
        if officer in accounts:
            a = accounts[officer]
            people.append({"role": role, "name": a["full_name"], "email": a["email"], "account": a["id"]})
    if guest is not None:
        people.append({"role": guest.role, "name": guest.name, "email": guest.email, "account": None})
    return people


def _times(poll_slots: Sequence[Mapping[str, str]]) -> list[str]:
    return [f"- {when(*parse_slot(slot_key(s)))}" for s in poll_slots]  # type: ignore[misc]


def invitation(
    reference: str,
    role: str,
    slots: Sequence[Mapping[str, str]],
    reply_by: dt.date,
    link: str,
    *,
    code: str = "",
    body: tuple[str, str] = ("", ""),
) -> tuple[str, str]:
    """Subject and body of the invitation. The family's words are plain; nobody's message names the
    child, and a guest's says nothing of the case beyond its reference. With a `code` (a family asked by
    post) there is no long link to type: the short address, the code and the body's phone instead."""
    if role == "family":
        opening = "We want to find a time for your mediation meeting that suits everyone."
    else:
        opening = "The mediation service is finding a time for a mediation meeting you are asked to attend."
    name, phone = body
    if code:
        how = [f"Tell us which times you can do. Go to {settings.base_url}/reply and type this code:"]
        how.append(show_code(code))
        if phone:
            how.append(f"Or phone {name} on {phone}. Tell them the code.")
    else:
        how = ["Tell us which times you can do. Open this link. You do not need to sign in:", link]
    lines = [
        opening,
        "",
        "These are the times:",
        *_times(slots),
        "",
        *how,
        "",
        f"Please answer by {format_long_date(reply_by)}.",
        f"Case reference: {reference}",
    ]
    if name:
        lines += ["", name]
    return f"Which times suit you for a mediation meeting? {reference}", "\n".join(lines)


async def open_poll(
    case: Disagreement, plan: SessionPlan, keys: list[str], guest_values: Mapping[str, str], *, actor: Any
) -> int:
    """`session_offered`: propose the times to everyone who must attend; returns the poll's id."""
    today = timekeeping.today()
    events.check(case, "session_offered", actor=actor, on=today, on_field="slots")
    errors = await plan_problems(case, plan)
    guest, guest_errors = read_guest(case, guest_values)
    errors.update(guest_errors)
    slots = await allowed_slots(
        case,
        plan,
        keys,
        errors,
        most=MAX_SLOTS,
        too_few="Select at least 2 times to ask everyone about",
        too_many=f"Ask about at most {MAX_SLOTS} times",
    )
    reply_by = reply_by_for(slots[0][0], shorter_notice=plan.shorter_notice_consent)
    if reply_by < today:
        raise Invalid(
            {
                "slots": f"{when(*slots[0])} is too soon to wait for answers: everyone would have to "
                f"answer by {format_long_date(reply_by)}. Choose later times, or book one now"
            }
        )
    people = await _invitees(case, plan, guest)
    made: dict[str, int] = {}

    async def writes(change: Change) -> None:
        fresh = change.case
        now = timekeeping.now()
        poll = MeetingPoll(
            disagreement=fresh.id,
            plan=plan_dict(plan),
            slots=[{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in slots],
            status="open",
            reply_by=reply_by,
            created_by=actor.id,
            created_at=now,
        )
        await poll.save()
        made["id"] = int(poll.id)
        about = {"id": poll.id, "slots": poll.slots, "reply_by": reply_by}
        for person in people:
            nonce = secrets.token_hex(16)
            # A family asked by post gets a code to type at /reply, not a long link.
            code = await new_code() if person["role"] == "family" and not person["email"] else None
            row = PollInvitee(poll=poll.id, nonce=nonce, answers={}, short_code=code, **person)
            await row.save()
            invitee = {**person, "id": row.id, "nonce": nonce, "short_code": code}
            await send_invitation(fresh, about, invitee, key=f"meeting-poll:{poll.id}:{row.id}:invite")

    await events.record(
        case,
        "session_offered",
        actor=actor,
        on=today,
        summary=f"{len(slots)} times proposed to {len(people)} people to find a time for the mediation "
        "meeting",
        writes=writes,
        on_field="slots",
    )
    return made["id"]


async def send_invitation(
    case: Disagreement, poll: Mapping[str, Any], invitee: Mapping[str, Any], *, key: str
) -> bool:
    """The invitation or a reminder, to one invitee (email; a posted letter only for a family without)."""
    link = link_for(int(invitee["id"]), invitee["nonce"], last_start(poll))
    code = invitee.get("short_code") or ""
    subject, body = invitation(
        case.reference,
        invitee["role"],
        poll["slots"],
        poll["reply_by"],
        link,
        code=code,
        body=await handling_body(case) if code else ("", ""),
    )
    if key.startswith("meeting-poll-reminder:"):
        subject = f"Reminder: {subject}"
    common: dict[str, Any] = {
        "name": invitee["name"],
        "subject": subject,
        "body_text": body,
        "dedupe_key": key,
        "disagreement_id": case.id,
        "forbidden_names": [case.child_name],
    }
    if invitee["role"] == "family" and (invitee["email"] or case.postal_address):
        return await queue_for_person(email=invitee["email"], address=case.postal_address, **common)
    if not invitee["email"]:
        return False
    return await queue_email(to=invitee["email"], **common)


async def _close_open_polls(change: Change) -> None:
    """A meeting booked (any way: a poll, an offer, the arranging page) ends the case's open polls, in the
    booking's transaction: nobody is asked or reminded any more."""
    await MeetingPoll.update({MeetingPoll.status: "closed", MeetingPoll.closed_at: timekeeping.now()}).where(
        (MeetingPoll.disagreement == change.case.id) & (MeetingPoll.status == "open")
    )


# Registered for both booking events (cases/events.py: add_writes).
events.add_writes("session_booked", "polls", _close_open_polls)
events.add_writes("offer_accepted", "polls", _close_open_polls)


async def _holds_code(code: str) -> bool:
    return bool(await PollInvitee.exists().where(PollInvitee.short_code == code))


# Reply codes are unique across offers and poll invitees (offers/service.py: new_code).
add_code_holder("polls", _holds_code)
