"""Offering the family several times: they pick one through a signed link, without an account.

Only the offer id travels in the link, signed and expiring (accounts/tokens.py); the times are checked
again, against every rule, when the family picks one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from mediation import timekeeping
from mediation.accounts.service import load_user
from mediation.accounts.tokens import make_token, read_token
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.repository import load_case
from mediation.errors import Invalid
from mediation.identity import CurrentUser
from mediation.notify.service import queue_for_person
from mediation.offers.tables import SessionOffer
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import format_long_date
from mediation.scheduling.service import SessionPlan, plan_problems
from mediation.scheduling.slots import LONDON, latest_notice_date
from mediation.sessions.errors import SlotTaken
from mediation.sessions.invites import when
from mediation.sessions.service import book, check_times
from mediation.settings import settings

PURPOSE = "mediation_offer"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0 or 1: nothing to misread on paper
CODE_LENGTH = 8
OFFER_DAYS = 7
MAX_SLOTS = 6


def parse_slot(key: str) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        start, end = key.split("/")
        starts_at, ends_at = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
    except ValueError:
        return None
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return None
    return starts_at.astimezone(dt.UTC), ends_at.astimezone(dt.UTC)


async def allowed_slots(
    case: Disagreement,
    plan: SessionPlan,
    keys: list[str],
    errors: dict[str, str],
    *,
    most: int,
    too_few: str,
    too_many: str,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The chosen times, earliest first, each checked against every rule as the slot finder applies them;
    raises with `errors` (the plan's own problems) and any problem with the times."""
    slots = sorted(s for s in (parse_slot(k) for k in keys) if s is not None)
    if len(slots) < 2 or len(slots) != len(keys):
        errors["slots"] = too_few
    elif len(slots) > most:
        errors["slots"] = too_many
    if errors:
        raise Invalid(errors)
    for starts_at, ends_at in slots:
        problems = await check_times(case, plan, starts_at, ends_at)
        if problems:
            raise Invalid({"slots": f"{when(starts_at, ends_at)}: {problems[0]}"})
    return slots


async def make_offer(case: Disagreement, plan: SessionPlan, keys: list[str], *, actor: CurrentUser) -> str:
    """`session_offered`: store the offer and send the family the link; returns the link's token."""
    today = timekeeping.today()
    events.check(case, "session_offered", actor=actor, on=today, on_field="slots")
    slots = await allowed_slots(
        case,
        plan,
        keys,
        await plan_problems(case, plan),
        most=MAX_SLOTS,
        too_few="Select at least 2 times to offer the family",
        too_many=f"Offer at most {MAX_SLOTS} times",
    )
    now = timekeeping.now()
    expires = min(now + dt.timedelta(days=OFFER_DAYS), max(s for s, _ in slots))
    reply_by = reply_by_for(slots[0][0], shorter_notice=plan.shorter_notice_consent)
    body_name, body_phone = await handling_body(case)
    made: dict[str, str] = {}

    async def writes(change: Change) -> None:
        fresh = change.case
        row = SessionOffer(
            disagreement=fresh.id,
            plan=plan_dict(plan),
            status="open",
            created_by=actor.id,
            created_at=now,
            expires_at=expires,
            slots=[{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in slots],
            short_code=await new_code(),
            reply_by=reply_by,
        )
        await row.save()
        token = make_token(PURPOSE, str(row.id), valid_for_seconds=int((expires - now).total_seconds()))
        made["token"] = token
        by_email = bool(fresh.written_email)  # else a letter, with the short code to type at /reply
        await queue_for_person(
            email=fresh.written_email or None,
            name=fresh.family_name,
            address=fresh.postal_address,
            subject=f"Choose a time for mediation: {fresh.reference}",
            body_text=offer_text(
                slots,
                code=str(row.short_code),
                link=f"{settings.base_url}/mediation/offers/{token}" if by_email else "",
                reply_by=reply_by,
                body=(body_name, body_phone),
            ),
            dedupe_key=f"mediation-offer:{row.id}",
            disagreement_id=fresh.id,
            forbidden_names=[fresh.child_name],
        )

    await events.record(
        case,
        "session_offered",
        actor=actor,
        on=today,
        summary=f"{len(slots)} times offered to the family for the mediation meeting",
        writes=writes,
        on_field="slots",
    )
    return made["token"]


def reply_by_for(first_start: dt.datetime, *, shorter_notice: bool) -> dt.date:
    """The last day to choose: a time booked that day still gives the family the notice the law requires
    before the first time offered (mediation_notice: 5 working days), or the day before with their consent."""
    first_day = first_start.astimezone(LONDON).date()
    return first_day - dt.timedelta(days=1) if shorter_notice else latest_notice_date(first_day)


# Poll invitees hold reply codes too, and polls sit a layer above: they register how to tell whether a
# code is theirs when imported (`polls/service.py`; every process imports it, mediation/capabilities.py).
CodeTaken = Callable[[str], Awaitable[bool]]
CODE_HOLDERS_NEEDED = ("polls",)
_CODE_HOLDERS: dict[str, CodeTaken] = {}


def add_code_holder(capability: str, taken: CodeTaken) -> None:
    """Register another holder of reply codes, so `new_code` never gives out one it holds."""
    _CODE_HOLDERS[capability] = taken


async def new_code() -> str:
    """An unused 8-character reply code (about 10**12 of them), unique across offers and poll invitees so
    /reply finds one thing; the unique indexes are the last guard."""
    if missing := [c for c in CODE_HOLDERS_NEEDED if c not in _CODE_HOLDERS]:
        raise RuntimeError(
            f"reply codes need mediation.{missing[0]}, which this process never imported "
            "(import mediation.capabilities at start-up, as mediation/app.py does)"
        )
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if await SessionOffer.exists().where(SessionOffer.short_code == code):
            continue
        if not any([await taken(code) for taken in _CODE_HOLDERS.values()]):
            return code


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


async def handling_body(case: Disagreement) -> tuple[str, str]:
    """The name and phone number of the body arranging mediation: who signs, and who the family can ring."""
    org_id = case.arranging_organisation_id or case.local_authority_id
    row = (
        await Organisation.select(Organisation.name, Organisation.phone)
        .where(Organisation.id == org_id)
        .first()
    )
    return (row["name"], row["phone"]) if row else ("", "")


def offer_text(
    slots: list[tuple[dt.datetime, dt.datetime]],
    *,
    code: str,
    link: str,
    reply_by: dt.date,
    body: tuple[str, str],
) -> str:
    """The offer in plain words: the times, three ways to choose (a letter has no long link), the date to
    choose by and the body's name at the end."""
    name, phone = body
    ways = [f"Go to {settings.base_url}/reply and type this code: {show_code(code)}"]
    if phone:
        ways.append(f"Phone {name} on {phone}. Tell them the code.")
    if link:
        ways.append(f"Or open this link: {link}")
    lines = [
        "We have found times for your mediation meeting.",
        "",
        "These are the times:",
        *[f"- {when(s, e)}" for s, e in slots],
        "",
        "Choose one time. You do not need to sign in. You can:",
        *[f"{n}. {way}" for n, way in enumerate(ways, 1)],
        "",
        f"Please choose by {format_long_date(reply_by)}. Then we can give you 5 working days' notice.",
        "",
        name,
    ]
    return "\n".join(lines).rstrip()


def plan_dict(plan: SessionPlan) -> dict[str, Any]:
    return {f: getattr(plan, f) for f in plan.__struct_fields__ if f not in {"starts_at", "ends_at"}}


async def open_offer(token: str) -> tuple[dict[str, Any], Disagreement] | None:
    """The offer and its case, if the link is genuine, unexpired and the offer still open."""
    subject = read_token(PURPOSE, token)
    if subject is None or not subject.isdigit():
        return None
    offer = await SessionOffer.select().where(SessionOffer.id == int(subject)).output(load_json=True).first()
    if offer is None or offer["status"] != "open" or offer["expires_at"] <= timekeeping.now():
        return None
    return offer, await load_case(offer["disagreement"])


async def take_offer(token: str, key: str) -> int:
    """The family picks one of the offered times; every rule is checked again as the session is booked."""
    opened = await open_offer(token)
    if opened is None:
        raise Invalid({"slot": "This link has expired or has already been used"})
    offer, case = opened
    offered = {f"{s['starts_at']}/{s['ends_at']}" for s in offer["slots"]}
    slot = parse_slot(key) if key in offered else None
    if slot is None:
        raise Invalid({"slot": "Select one of the times offered"})
    family = await load_user(case.family_id)
    if family is None:
        raise Invalid({"slot": "This link is no longer valid"})
    plan = SessionPlan(**offer["plan"], starts_at=slot[0], ends_at=slot[1])

    async def mark_taken(change: Change, session_id: int) -> None:
        """In the booking's transaction: the offer is used, once (a second tab gets SlotTaken)."""
        taken = (
            await SessionOffer.update({SessionOffer.status: "taken", SessionOffer.session: session_id})
            .where((SessionOffer.id == offer["id"]) & (SessionOffer.status == "open"))
            .returning(SessionOffer.id)
        )
        if not taken:
            raise SlotTaken({"slot": "This offer has already been used"})

    return await book(case, plan, actor=family, offered=True, then=mark_taken)
