"""A meeting poll after it is sent: invitees answer by link, the coordinator reads the results and books
from them, and those who have not answered are reminded (`polls.py` opens a poll)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Collection, Mapping
from typing import Any

from mediation import timekeeping
from mediation.accounts.tokens import read_token
from mediation.audit.service import record as audit
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.repository import load_case
from mediation.db import transaction
from mediation.errors import Invalid, NotFound
from mediation.identity import CurrentUser
from mediation.notify.service import queue_email, queue_for_person
from mediation.offers.service import parse_slot
from mediation.polls.service import (
    ANSWERS,
    PURPOSE,
    REMIND_WORKING_DAYS,
    best_slot,
    send_invitation,
    slot_key,
)
from mediation.polls.tables import MeetingPoll, PollInvitee
from mediation.rules.calendar import WorkingCalendar
from mediation.scheduling.service import SessionPlan, needs_of
from mediation.sessions.errors import SlotTaken
from mediation.sessions.invites import when
from mediation.sessions.service import book

CAN_AGREE = (
    "The local authority must send an officer who can agree how to settle the disagreement. Choose an "
    "officer who can, or ask the local authority to name one"
)


async def poll_of(case: Disagreement, poll_id: int) -> dict[str, Any]:
    poll = (
        await MeetingPoll.select()
        .where((MeetingPoll.id == poll_id) & (MeetingPoll.disagreement == case.id))
        .output(load_json=True)
        .first()
    )
    if poll is None:
        raise NotFound("No meeting poll with this id on this case")
    return poll


async def invitees_of(poll_id: int) -> list[dict[str, Any]]:
    return (
        await PollInvitee.select()
        .where(PollInvitee.poll == poll_id)
        .order_by(PollInvitee.id)
        .output(load_json=True)
    )


async def polls_of(case_id: int) -> list[dict[str, Any]]:
    return (
        await MeetingPoll.select(MeetingPoll.id, MeetingPoll.status, MeetingPoll.reply_by)
        .where(MeetingPoll.disagreement == case_id)
        .order_by(MeetingPoll.id, ascending=False)
    )


async def invitee_by_link(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The invitee and their open poll if the link is genuine and unexpired; None otherwise (a forged,
    expired or used link looks the same, whoever it names)."""
    subject = read_token(PURPOSE, token)
    if subject is None or "." not in subject:
        return None
    invitee_id, nonce = subject.split(".", 1)
    if not invitee_id.isdigit():
        return None
    invitee = (
        await PollInvitee.select().where(PollInvitee.id == int(invitee_id)).output(load_json=True).first()
    )
    if invitee is None or not hmac.compare_digest(invitee["nonce"], nonce):
        return None
    poll = await MeetingPoll.select().where(MeetingPoll.id == invitee["poll"]).output(load_json=True).first()
    if poll is None or poll["status"] != "open":
        return None
    if "session_booked" not in (await load_case(poll["disagreement"])).allowed_events:
        return None  # withdrawn, closed or mediation over: there is nothing left to answer
    return invitee, poll


def read_answers(poll: Mapping[str, Any], values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """slot key -> answer, and field id -> message for each time left unanswered."""
    answers, errors = {}, {}
    for index, slot in enumerate(poll["slots"]):
        said = values.get(f"slot-{index}", "")
        if said in ANSWERS:
            answers[slot_key(slot)] = said
        else:
            start, end = parse_slot(slot_key(slot))  # type: ignore[misc]
            errors[f"slot-{index}"] = f"Say if you can come on {when(start, end)}"
    return answers, errors


async def answer(token: str, values: Mapping[str, str]) -> dict[str, Any]:
    """Save the answers of the invitee the link names (never anyone else's); returns the invitee."""
    found = await invitee_by_link(token)
    if found is None:
        raise NotFound("This link does not work any more")
    invitee, poll = found
    answers, errors = read_answers(poll, values)
    if errors:
        raise Invalid(errors)
    async with transaction():
        updated = (
            await PollInvitee.update(
                {PollInvitee.answers: answers, PollInvitee.answered_at: timekeeping.now()}
            )
            .where((PollInvitee.id == invitee["id"]) & (PollInvitee.nonce == invitee["nonce"]))
            .returning(PollInvitee.id)
        )
        if not updated:
            raise NotFound("This link does not work any more")
        await audit(
            actor=None,
            action="meeting_poll_answered",
            entity="poll_invitee",
            entity_id=invitee["id"],
            summary=f"{invitee['name']} said which times suit them for the mediation meeting",
            before=invitee["answers"] or None,
            after=answers,
            disagreement_id=poll["disagreement"],
        )
    return invitee


def results(poll: Mapping[str, Any], invitees: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per time: the counts, each invitee's answer, and whether it is the best time."""
    best = best_slot(poll["slots"], invitees)
    rows = []
    for slot in poll["slots"]:
        key = slot_key(slot)
        said = [i["answers"].get(key, "") for i in invitees]
        start, end = parse_slot(key)  # type: ignore[misc]
        rows.append(
            {
                "key": key,
                "when": when(start, end),
                "answers": [ANSWERS.get(a, "No answer yet") for a in said],
                "yes": said.count("yes"),
                "maybe": said.count("maybe"),
                "no": said.count("no"),
                "best": key == best,
            }
        )
    return rows


async def _tell_invitees(case: Disagreement, poll: Mapping[str, Any], session_id: int, moment: str) -> None:
    """Every invitee hears the poll is closed and the time chosen (attendees also get the invite)."""
    for invitee in await invitees_of(int(poll["id"])):
        common: dict[str, Any] = {
            "name": invitee["name"],
            "subject": f"A time is chosen for the mediation meeting: {case.reference}",
            "body_text": "\n".join(
                [
                    "Thank you for telling us which times suit you.",
                    "",
                    f"The mediation meeting is on {moment}.",
                    "",
                    "If you are going to the meeting, you will get the invitation with the place.",
                    f"Case reference: {case.reference}",
                ]
            ),
            "dedupe_key": f"meeting-poll:{poll['id']}:{invitee['id']}:booked:{session_id}",
            "disagreement_id": case.id,
            "forbidden_names": [case.child_name],
        }
        if invitee["role"] == "family" and (invitee["email"] or case.postal_address):
            await queue_for_person(email=invitee["email"], address=case.postal_address, **common)
        elif invitee["email"]:
            await queue_email(to=invitee["email"], **common)


async def book_from_poll(
    case: Disagreement, poll_id: int, values: Mapping[str, str], *, actor: CurrentUser
) -> int:
    """Book one of the poll's times (`session_booked`, every rule checked again by `booking.book`), record
    who attends for the LA and whether they can agree a settlement, close the poll and tell invitees."""
    events.check(case, "session_booked", actor=actor, on=timekeeping.today(), on_field="slot")
    poll = await poll_of(case, poll_id)
    if poll["status"] != "open":
        raise Invalid({"slot": "This poll is closed: a meeting has already been booked from it"})
    invitees = await invitees_of(poll_id)
    errors: dict[str, str] = {}
    key = values.get("slot", "")
    slot = parse_slot(key) if key in {slot_key(s) for s in poll["slots"]} else None
    if slot is None:
        errors["slot"] = "Select the time to book"
    officers = {str(i["id"]): i for i in invitees if i["role"] == "la_officer"}
    chosen = officers.get(values.get("la_officer", ""))
    can_agree = values.get("can_agree", "")
    if needs_of(case).la_required and chosen is None:
        errors["la_officer"] = "Select who attends for the local authority"
    if chosen is not None and can_agree not in {"yes", "no"}:
        errors["can_agree"] = (
            "Say whether the local authority officer can agree how to settle the disagreement"
        )
    elif chosen is not None and can_agree == "no":
        errors["can_agree"] = CAN_AGREE
    if errors:
        raise Invalid(errors)
    assert slot is not None
    plan = SessionPlan(**poll["plan"], starts_at=slot[0], ends_at=slot[1])
    guests = []
    plan.la_officer_id = chosen["account"] if chosen else None
    if chosen is not None and chosen["account"] is None:
        guests.append(
            {
                "role": "la_officer",
                "name": chosen["name"],
                "email": chosen["email"],
                "authority_to_agree": True,
            }
        )
    guests += [
        {"role": i["role"], "name": i["name"], "email": i["email"], "authority_to_agree": False}
        for i in invitees
        if i["account"] is None and i["role"] != "la_officer"
    ]
    plan.authority_confirmed = chosen is not None or plan.authority_confirmed

    async def close(change: Change, session_id: int) -> None:
        closed = (
            await MeetingPoll.update(
                {
                    MeetingPoll.status: "booked",
                    MeetingPoll.session: session_id,
                    MeetingPoll.closed_at: timekeeping.now(),
                }
            )
            .where((MeetingPoll.id == poll_id) & (MeetingPoll.status == "open"))
            .returning(MeetingPoll.id)
        )
        if not closed:
            raise SlotTaken({"slot": "A meeting has just been booked from this poll"})
        await _tell_invitees(change.case, poll, session_id, when(slot[0], slot[1]))

    return await book(case, plan, actor=actor, guests=guests, then=close)


async def remind_unanswered(today: dt.date, *, local_authorities: Collection[int] | None = None) -> int:
    """Remind by email everyone who has not answered an open poll: once in the REMIND_WORKING_DAYS working
    days before the reply-by date and once on it. The outbox's unique dedupe key (invitee, first or last)
    means two processes, or two runs of the sweep, never send the same reminder twice."""
    calendar = WorkingCalendar()
    i, p = PollInvitee, PollInvitee.poll
    where = (
        i.answered_at.is_null()
        & (i.email != "")
        & (p.status == "open")
        & (p.reply_by >= today)
        & (p.reply_by <= calendar.add_working_days(today, REMIND_WORKING_DAYS).date)
    )
    if local_authorities is not None:
        where &= p.disagreement.local_authority.is_in(sorted(local_authorities) or [-1])  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
    rows = await i.select(
        i.id,
        i.role,
        i.name,
        i.email,
        i.nonce,
        p.id.as_alias("poll_id"),
        p.slots.as_alias("slots"),
        p.reply_by.as_alias("reply_by"),
        p.disagreement.id.as_alias("case_id"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
    ).where(where)
    queued = 0
    cases: dict[int, Disagreement] = {}
    for r in rows:
        reply_by = r["reply_by"]
        if today < calendar.working_days_before(reply_by, REMIND_WORKING_DAYS).date:
            continue
        if r["case_id"] not in cases:
            cases[r["case_id"]] = await load_case(r["case_id"])
        if "session_booked" not in cases[r["case_id"]].allowed_events:
            continue  # withdrawn, closed or mediation over: nobody is chased for an answer
        slots = json.loads(r["slots"]) if isinstance(r["slots"], str) else r["slots"]
        poll = {"id": r["poll_id"], "slots": slots, "reply_by": reply_by}
        # One reminder on any day of the run-up (a missed sweep catches up), one more on the day itself.
        which = "last" if today == reply_by else "first"
        async with transaction():
            queued += int(
                await send_invitation(
                    cases[r["case_id"]], poll, r, key=f"meeting-poll-reminder:{r['id']}:{which}"
                )
            )
    return queued
