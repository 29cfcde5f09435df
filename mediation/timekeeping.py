"""The one source of "now" and "today": every use case asks here, so tests and whole-case scenarios can
run at a fixed date (`use_clock`), and a demo can be pinned to one with `MEDIATION_NOW`.

"Today" is the date in England, where every time limit runs, whatever the server's own time zone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock:
    """The real clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class FixedClock(Clock):
    """A clock stopped at one moment (UTC)."""

    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)


def _from_environment() -> Clock:
    pinned = os.environ.get("MEDIATION_NOW", "").strip()
    if not pinned:
        return Clock()
    moment = dt.datetime.fromisoformat(pinned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return FixedClock(moment)


_default: Clock = _from_environment()
_current: ContextVar[Clock | None] = ContextVar("mediation_clock", default=None)


def clock() -> Clock:
    return _current.get() or _default


def now() -> dt.datetime:
    """This moment, in UTC."""
    return clock().now()


def wall_clock() -> dt.datetime:
    """Real time in UTC, never pinned by MEDIATION_NOW or `use_clock`: for rate limits and lockouts, whose
    windows must pass even on a demo frozen at one moment (tests move it by patching the caller's name)."""
    return Clock().now()


def today() -> dt.date:
    """Today's date in England."""
    return now().astimezone(LONDON).date()


def set_clock(new: Clock) -> None:
    """Replace the process-wide clock (a test run or a scenario script); `use_clock` for a block."""
    global _default
    _default = new


@contextlib.contextmanager
def use_clock(new: Clock | dt.datetime | dt.date) -> Iterator[Clock]:
    """Run a block at a fixed moment: a datetime, or a date (at 10:00 in England)."""
    if isinstance(new, dt.datetime):
        new = FixedClock(new if new.tzinfo else new.replace(tzinfo=LONDON))
    elif isinstance(new, dt.date):
        new = FixedClock(dt.datetime.combine(new, dt.time(10), tzinfo=LONDON))
    token = _current.set(new)
    try:
        yield new
    finally:
        _current.reset(token)
