"""Sign-in throttling: counters per bucket, claimed atomically before a password is checked.

Three buckets count each attempt:
- `pair`: one account from one client. After `login_max_failures` the client waits, the wait doubling
  with each further failure. Other clients (the account's owner) are not held up: wrong guesses cannot
  lock anyone out.
- `client`: one client across every account (`login_client_max_failures`), against password spraying.
- `account`: one account from every client (`login_account_max_failures`), so even guesses spread over
  many addresses stay far below 100 an hour on one account (OWASP ASVS 2.2.1).

An attempt first claims all three under a lock (an immediate transaction on SQLite, `FOR UPDATE` on
PostgreSQL): a bucket that is waiting refuses the attempt before any password is checked; otherwise
each counts the attempt as a failure and, the moment a count reaches its limit, starts the wait, so
concurrent guesses cannot slip past the limit while the first ones are still being checked. A sign-in
that then succeeds gives its claim back (and clears its own pair bucket).

Counters start again a window (`login_window_minutes`) after their first failure. The wall clock is
used, not the service's "today" (a pinned demo clock must not freeze the throttle).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from mediation import db
from mediation.accounts.tables import SignInThrottle
from mediation.settings import settings
from mediation.timekeeping import wall_clock  # module-level name: tests move it here


@dataclass(frozen=True)
class Bucket:
    kind: str
    digest: str
    limit: int


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an attempt: allowed, or the seconds to wait before the next one."""

    buckets: tuple[Bucket, ...]
    wait_seconds: int = 0

    @property
    def allowed(self) -> bool:
        return self.wait_seconds == 0


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def buckets_for(email: str, client: str) -> tuple[Bucket, ...]:
    return tuple(
        sorted(
            (
                Bucket("pair", _digest("pair", email, client), settings.login_max_failures),
                Bucket("client", _digest("client", client), settings.login_client_max_failures),
                Bucket("account", _digest("account", email), settings.login_account_max_failures),
            ),
            key=lambda bucket: bucket.digest,  # one lock order for every process: no deadlock
        )
    )


def wait_after(failures: int, limit: int) -> dt.timedelta:
    """How long a bucket waits once it has `failures` (>= limit): the first wait, doubling each time."""
    longest = settings.login_max_wait_minutes * 60
    doublings = min(failures - limit, 30)
    return dt.timedelta(seconds=min(settings.login_first_wait_seconds * 2**doublings, longest))


def wait_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


async def _locked_rows(buckets: tuple[Bucket, ...], now: dt.datetime) -> dict[str, dict]:
    digests = [bucket.digest for bucket in buckets]
    await SignInThrottle.insert(
        *(
            SignInThrottle(
                bucket=bucket.digest, kind=bucket.kind, failures=0, window_started_at=now, updated_at=now
            )
            for bucket in buckets
        )
    ).on_conflict(target=SignInThrottle.bucket, action="DO NOTHING")
    query = (
        SignInThrottle.select().where(SignInThrottle.bucket.is_in(digests)).order_by(SignInThrottle.bucket)
    )
    if db.is_postgres():
        query = query.lock_rows()  # SQLite: the immediate transaction already holds the write lock
    return {row["bucket"]: row for row in await query}


async def claim(email: str, client: str) -> Claim:
    """Count this attempt in every bucket, or refuse it (nothing counted) while any bucket waits."""
    buckets = buckets_for(email, client)
    window = dt.timedelta(minutes=settings.login_window_minutes)
    async with db.transaction():
        rows = await _locked_rows(buckets, wall_clock())
        now = wall_clock()  # once the locks are held: a claim that queued for them must not look back
        waits = [
            (row["blocked_until"] - now).total_seconds()
            for row in rows.values()
            if row["blocked_until"] is not None and row["blocked_until"] > now
        ]
        if waits:
            return Claim(buckets, wait_seconds=max(1, math.ceil(max(waits))))
        for bucket in buckets:
            row = rows[bucket.digest]
            fresh = row["window_started_at"] <= now - window
            failures = 1 if fresh else row["failures"] + 1
            blocked_until = now + wait_after(failures, bucket.limit) if failures >= bucket.limit else None
            await SignInThrottle.update(
                {
                    SignInThrottle.failures: failures,
                    SignInThrottle.window_started_at: now if fresh else row["window_started_at"],
                    SignInThrottle.blocked_until: blocked_until,
                    SignInThrottle.updated_at: now,
                }
            ).where(SignInThrottle.id == row["id"])
    return Claim(buckets)


async def give_back(claimed: Claim) -> None:
    """The attempt succeeded: forget this client's failures on the account, and return its claim on the
    client and account buckets (lifting a wait that claim alone had started)."""
    async with db.transaction():
        rows = await _locked_rows(claimed.buckets, wall_clock())
        now = wall_clock()
        for bucket in claimed.buckets:
            row = rows[bucket.digest]
            if bucket.kind == "pair":
                await SignInThrottle.delete().where(SignInThrottle.id == row["id"])
                continue
            failures = max(0, row["failures"] - 1)
            values: dict = {SignInThrottle.failures: failures, SignInThrottle.updated_at: now}
            if failures < bucket.limit:
                values[SignInThrottle.blocked_until] = None
            await SignInThrottle.update(values).where(SignInThrottle.id == row["id"])


async def forget_old_counters() -> int:
    """Delete counters whose window and wait are both over (the scheduler's session sweep calls it)."""
    now = wall_clock()
    cutoff = now - dt.timedelta(minutes=settings.login_window_minutes + settings.login_max_wait_minutes)
    rows = (
        await SignInThrottle.delete()
        .where(
            (SignInThrottle.updated_at < cutoff)
            & (SignInThrottle.blocked_until.is_null() | (SignInThrottle.blocked_until < now))
        )
        .returning(SignInThrottle.id)
    )
    return len(rows)
