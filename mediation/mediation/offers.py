"""Offering the family several times: they pick one through a signed link, without an account.

Only the offer id travels in the link, signed and expiring (accounts/tokens.py); the times are checked
again, against every rule, when the family picks one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation import timekeeping
from mediation.accounts.service import load_user
from mediation.accounts.tokens import make_token, read_token
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.repository import load_case
from mediation.identity import CurrentUser
from mediation.mediation.booking import book, check_times
from mediation.mediation.common import MediationError
from mediation.mediation.invites import when
from mediation.mediation.scheduling import SessionPlan, plan_problems
from mediation.mediation.slots import LONDON
from mediation.mediation.tables import SessionOffer
from mediation.notify.service import queue_for_person
from mediation.settings import settings

PURPOSE = "mediation_offer"
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


async def make_offer(case: Disagreement, plan: SessionPlan, keys: list[str], *, actor: CurrentUser) -> str:
    """`session_offered`: store the offer and send the family the link; returns the link's token."""
    today = timekeeping.today()
    events.check(case, "session_offered", actor=actor, on=today, on_field="slots")
    errors = await plan_problems(case, plan)
    slots = [s for s in (parse_slot(k) for k in keys) if s is not None]
    if len(slots) < 2 or len(slots) != len(keys):
        errors["slots"] = "Select at least 2 times to offer the family"
    elif len(slots) > MAX_SLOTS:
        errors["slots"] = f"Offer at most {MAX_SLOTS} times"
    if errors:
        raise MediationError(errors)
    for starts_at, ends_at in slots:
        problems = await check_times(case, plan, starts_at, ends_at)
        if problems:
            raise MediationError({"slots": f"{when(starts_at, ends_at)}: {problems[0]}"})
    now = timekeeping.now()
    expires = min(now + dt.timedelta(days=OFFER_DAYS), max(s for s, _ in slots))
    made: dict[str, str] = {}

    async def writes(change: Change) -> None:
        fresh = change.case
        row = SessionOffer(
            disagreement=fresh.id,
            plan=_plan_dict(plan),
            status="open",
            created_by=actor.id,
            created_at=now,
            expires_at=expires,
            slots=[{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in slots],
        )
        await row.save()
        token = make_token(PURPOSE, str(row.id), valid_for_seconds=int((expires - now).total_seconds()))
        made["token"] = token
        link = f"{settings.base_url}/mediation/offers/{token}"
        lines = [
            f"The mediation service offers these times for the mediation meeting in disagreement "
            f"{fresh.reference}:",
            "",
            *[f"- {when(s, e)}" for s, e in slots],
            "",
            f"Choose the time that suits you (no need to sign in): {link}",
            f"Please choose by {_day(expires)}.",
        ]
        await queue_for_person(
            email=fresh.written_email or None,
            name=fresh.family_name,
            address=fresh.postal_address,
            subject=f"Choose a time for mediation: {fresh.reference}",
            body_text="\n".join(lines),
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


def _day(moment: dt.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def _plan_dict(plan: SessionPlan) -> dict[str, Any]:
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
        raise MediationError({"slot": "This link has expired or has already been used"})
    offer, case = opened
    offered = {f"{s['starts_at']}/{s['ends_at']}" for s in offer["slots"]}
    slot = parse_slot(key) if key in offered else None
    if slot is None:
        raise MediationError({"slot": "Select one of the times offered"})
    family = await load_user(case.family_id)
    if family is None:
        raise MediationError({"slot": "This link is no longer valid"})
    plan = SessionPlan(**offer["plan"], starts_at=slot[0], ends_at=slot[1])
    return await book(case, plan, actor=family, offer_id=offer["id"])
