"""How often an emailed link may be asked for (a confirmation link sent again), so the form cannot be
used to flood someone's inbox or to probe which addresses have accounts.

Counted per address asked for, whether or not it has an account (so the answer, "wait", says nothing
about the account), and per client across addresses. Every link sent to an address counts, including
the one registration sends: at most one every `GAP`, and `ADDRESS_PER_HOUR` an hour. Rows hold SHA-256
digests, never the address or the client in clear. The wall clock is used, like sign-in throttling: a
pinned demo date must not freeze the limit.

Call `claim` inside the transaction that queues the email: on PostgreSQL it takes a transaction-scoped
advisory lock on the address, so two requests at once cannot both pass; on SQLite the immediate
transaction already serialises them. The outbox's dedupe key (one link per address per `GAP` slot) is
the last guard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from mediation import db
from mediation.accounts.tables import LinkRequest
from mediation.timekeeping import wall_clock  # module-level name: tests move it here

GAP = dt.timedelta(minutes=5)
WINDOW = dt.timedelta(hours=1)
ADDRESS_PER_HOUR = 5
CLIENT_PER_HOUR = 20


@dataclass(frozen=True)
class Decision:
    wait_seconds: int = 0
    slot: int = 0  # which GAP-long slot the request fell in: part of the email's dedupe key

    @property
    def allowed(self) -> bool:
        return self.wait_seconds == 0


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def slot_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // int(GAP.total_seconds())


async def _times(bucket: str, since: dt.datetime) -> list[dt.datetime]:
    rows = (
        await LinkRequest.select(LinkRequest.at)
        .where((LinkRequest.bucket == bucket) & (LinkRequest.at > since))
        .order_by(LinkRequest.at)
    )
    return [row["at"] for row in rows]


def _wait_for_hourly(times: list[dt.datetime], limit: int, now: dt.datetime) -> float:
    """Seconds until fewer than `limit` of these requests are within the last hour (0: already)."""
    if len(times) < limit:
        return 0.0
    return (times[len(times) - limit] + WINDOW - now).total_seconds()


async def _lock(address: str) -> None:
    if db.is_postgres():
        await LinkRequest.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", address)


async def record(purpose: str, email: str) -> None:
    """Count a link the service sends of its own accord (registration's), against the address only: a
    request to send it again straight afterwards then waits."""
    address = _digest("address", purpose, email)
    await _lock(address)
    await LinkRequest.insert(LinkRequest(bucket=address, kind="address", at=wall_clock()))


async def claim(purpose: str, email: str, client: str) -> Decision:
    """Count this request, or refuse it (nothing counted) with the seconds to wait."""
    address = _digest("address", purpose, email)
    await _lock(address)
    now = wall_clock()
    since = now - WINDOW
    asked = await _times(address, since)
    waits = [_wait_for_hourly(asked, ADDRESS_PER_HOUR, now)]
    if asked:
        waits.append((asked[-1] + GAP - now).total_seconds())
    from_client = _digest("client", purpose, client)
    waits.append(_wait_for_hourly(await _times(from_client, since), CLIENT_PER_HOUR, now))
    wait = max(waits)
    if wait > 0:
        return Decision(wait_seconds=max(1, math.ceil(wait)))
    await LinkRequest.insert(
        LinkRequest(bucket=address, kind="address", at=now),
        LinkRequest(bucket=from_client, kind="client", at=now),
    )
    return Decision(slot=slot_of(now))


async def claim_attempt(purpose: str, client: str, *, per_hour: int) -> Decision:
    """Count one try from this client at something that can be guessed (a short reply code), or refuse it
    (nothing counted) with the seconds to wait. Call inside a transaction."""
    bucket = _digest("attempt", purpose, client)
    await _lock(bucket)
    now = wall_clock()
    wait = _wait_for_hourly(await _times(bucket, now - WINDOW), per_hour, now)
    if wait > 0:
        return Decision(wait_seconds=max(1, math.ceil(wait)))
    await LinkRequest.insert(LinkRequest(bucket=bucket, kind=purpose[:10], at=now))
    return Decision(slot=slot_of(now))


async def forget_old() -> int:
    """Delete requests older than the window (the scheduler's session sweep calls it)."""
    rows = await LinkRequest.delete().where(LinkRequest.at <= wall_clock() - WINDOW).returning(LinkRequest.id)
    return len(rows)
