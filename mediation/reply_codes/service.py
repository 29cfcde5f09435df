"""A posted offer's short code, typed at /reply: it opens the same page as the emailed link.

Codes are 8 characters from 31 (about 8 * 10**11 codes) and each client may try REPLY_TRIES_PER_HOUR an
hour, counted in the database (accounts/link_requests.py), so guessing one is hopeless; a wrong, used
or expired code gets the same answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mediation import timekeeping
from mediation.accounts import link_requests
from mediation.accounts.tokens import make_token
from mediation.db import transaction
from mediation.errors import Invalid
from mediation.offers.service import CODE_ALPHABET, CODE_LENGTH, PURPOSE
from mediation.offers.tables import SessionOffer
from mediation.polls.service import last_start, link_for
from mediation.polls.tables import PollInvitee

REPLY_TRIES_PER_HOUR = 10
WRONG_LENGTH = "Enter the code from your letter. It has 8 letters and numbers, like ABCD-2345"
NOT_FOUND = (
    "We cannot find that code. Check it against your letter. If it still does not work, phone the number "
    "in your letter"
)


@dataclass(frozen=True)
class Opened:
    token: str = ""  # the signed link's token, when the code is right
    path: str = "/mediation/offers/"  # where the token opens: an offer, or a poll invitee's answers
    wait_seconds: int = 0  # when this client has tried too often


def normalise(typed: str) -> str:
    """What the family typed, without spaces or dashes, in capitals."""
    return "".join(c for c in typed.upper() if c.isalnum())


async def open_by_code(typed: str, client: str) -> Opened:
    """Count the try, then the token of the open offer or poll invitation with this code; Invalid
    when it is wrong (a used or expired code is wrong too: the same answer, nothing to learn)."""
    async with transaction():
        decision = await link_requests.claim_attempt("reply_code", client, per_hour=REPLY_TRIES_PER_HOUR)
    if not decision.allowed:
        return Opened(wait_seconds=decision.wait_seconds)
    code = normalise(typed)
    if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
        raise Invalid({"code": WRONG_LENGTH if len(code) != CODE_LENGTH else NOT_FOUND})
    now = timekeeping.now()
    offer = (
        await SessionOffer.select(SessionOffer.id, SessionOffer.expires_at)
        .where((SessionOffer.short_code == code) & (SessionOffer.status == "open"))
        .first()
    )
    if offer is not None and offer["expires_at"] > now:
        seconds = max(int((offer["expires_at"] - now).total_seconds()), 60)
        return Opened(token=make_token(PURPOSE, str(offer["id"]), valid_for_seconds=seconds))
    invitee = (
        await PollInvitee.select(PollInvitee.id, PollInvitee.nonce, PollInvitee.poll.slots.as_alias("slots"))
        .where((PollInvitee.short_code == code) & (PollInvitee.poll.status == "open"))
        .first()
    )
    if invitee is None:
        raise Invalid({"code": NOT_FOUND})
    slots = json.loads(invitee["slots"]) if isinstance(invitee["slots"], str) else invitee["slots"]
    link = link_for(int(invitee["id"]), invitee["nonce"], last_start({"slots": slots}))
    return Opened(token=link.rsplit("/", 1)[1], path="/meeting-polls/")
