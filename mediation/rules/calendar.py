"""Working days and period arithmetic for SEND time limits (statute.md section 1).

Every computation returns a `Reckoning`: the date reached and the plain-English steps that got there,
so that a family, a caseworker or a lawyer can check the arithmetic by hand.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from holidays import country_holidays

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

ONE_DAY = timedelta(days=1)


_LONG_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LONG_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_long_date(d: date) -> str:
    """'Friday 8 January 2027', the GOV.UK style for a deadline in a sentence; locale-independent too."""
    return f"{_LONG_WEEKDAYS[d.weekday()]} {d.day} {_LONG_MONTHS[d.month - 1]} {d.year}"


def format_date(d: date) -> str:
    """'Tue 23 Mar 2027': fixed English names, so the output never depends on the server's locale."""
    return f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Reckoning:
    """A date reached by a calendar computation, with the steps that explain it."""

    date: date
    steps: tuple[str, ...] = ()


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> Mapping[date, str]:
    # England and Wales bank holidays come from the rule-based `holidays` package (never a hand-kept list),
    # built one year at a time and cached read-only, so a shared calendar has no mutable state.
    # country_holidays("GB") is holidays.UK, with a typed signature.
    table = country_holidays("GB", subdiv="ENG", years=year)
    return MappingProxyType({day: str(name) for day, name in table.items()})


def bank_holiday_name(d: date) -> str | None:
    """The bank holiday's name ('Good Friday', 'Christmas Day (observed)'), or None."""
    return _bank_holidays(d.year).get(d)


def in_hesc_christmas_window(d: date) -> bool:
    """25 Dec to 1 Jan inclusive (HESC Rules 2008 r.12(3))."""
    return (d.month == 12 and d.day >= 25) or (d.month == 1 and d.day == 1)


def in_august(d: date) -> bool:
    return d.month == 8


def add_days(d: date, n: int) -> Reckoning:
    """N days after D = D + N calendar days (statute.md section 1)."""
    return Reckoning(d + timedelta(days=n))


def add_weeks(d: date, n: int) -> Reckoning:
    """N weeks after D = D + 7N calendar days: the same weekday N weeks on."""
    return Reckoning(d + timedelta(weeks=n))


def add_months(d: date, n: int) -> Reckoning:
    """N calendar months after D: the corresponding date, or the month's last day if it has none.

    Dodds v Walker [1981] 1 WLR 1027 (HL): a month is a calendar month ending on the corresponding date;
    31 Dec + 2 months is 28 Feb, or 29 Feb in a leap year.
    """
    months = d.year * 12 + (d.month - 1) + n
    year, month = divmod(months, 12)
    month += 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    if d.day <= last_day:
        return Reckoning(date(year, month, d.day))
    result = date(year, month, last_day)
    note = (
        f"{_MONTHS[month - 1]} {year} has no day {d.day}, so the period ends on the last day of that month, "
        f"{format_date(result)}"
    )
    return Reckoning(result, (note,))


def skipped(d: date, reason: str) -> str:
    return f"skipped {format_date(d)} ({reason})"


class WorkingCalendar:
    """Working days in England: Monday to Friday, not a bank holiday in England and Wales.

    `extra_closures` adds an organisation's own closure days (for example a local authority's
    closure between Christmas and New Year), each with the name shown in explanations. Such a calendar
    is for finding days the organisation can hold a mediation, never for a time limit: no statute lets
    a duty-holder's closures extend its deadline, so `compute_deadline` always counts on
    `DEFAULT_CALENDAR`, the national one.
    """

    def __init__(self, extra_closures: Mapping[date, str] | None = None) -> None:
        self._closures: Mapping[date, str] = MappingProxyType(dict(extra_closures or {}))

    @property
    def extra_closures(self) -> Mapping[date, str]:
        return self._closures

    def __repr__(self) -> str:
        return f"WorkingCalendar(extra_closures={dict(self._closures)!r})"

    def national(self) -> WorkingCalendar:
        """The same calendar without organisation closures: the calendar every time limit runs on."""
        return self if not self._closures else DEFAULT_CALENDAR

    def non_working_reason(self, d: date) -> str | None:
        """Why D is not a working day, or None if it is one.

        A bank holiday's name wins over 'Saturday'/'Sunday': the date format already shows the weekday.
        """
        holiday = bank_holiday_name(d)
        if holiday is not None:
            return holiday
        closure = self._closures.get(d)
        if closure is not None:
            return closure
        if d.weekday() >= 5:
            return _WEEKDAY_NAMES[d.weekday()]
        return None

    def is_working_day(self, d: date) -> bool:
        return self.non_working_reason(d) is None

    def add_working_days(self, d: date, n: int) -> Reckoning:
        """The Nth working day after D; D itself is not counted (statute.md section 1)."""
        return self._count(d, n, forward=True, hesc_exclusions=False)

    def working_days_before(self, d: date, n: int) -> Reckoning:
        """The Nth working day before D: the latest date for something 'at least N working days before D'."""
        return self._count(d, n, forward=False, hesc_exclusions=False)

    def add_working_days_hesc(self, d: date, n: int) -> Reckoning:
        """HESC r.12(3)(b): count N working days after D, not counting 25 Dec-1 Jan or any day in August."""
        return self._count(d, n, forward=True, hesc_exclusions=True)

    def next_working_day_on_or_after(self, d: date) -> Reckoning:
        """D if it is a working day, otherwise the next working day, with each skipped day explained."""
        steps: list[str] = []
        day = d
        while (reason := self.non_working_reason(day)) is not None:
            steps.append(skipped(day, reason))
            day += ONE_DAY
        return Reckoning(day, tuple(steps))

    def hesc_r12_2(self, d: date) -> Reckoning:
        """HESC r.12(2): a time limit ending on a non-working day ends on the next working day."""
        reason = self.non_working_reason(d)
        if reason is None:
            return Reckoning(d)
        moved = self.next_working_day_on_or_after(d)
        intro = (
            f"{format_date(d)} is not a working day ({reason}), so the time limit ends on the next "
            "working day (HESC Rules 2008 r.12(2))"
        )
        # The intro already explains D itself, so only the later skipped days are listed.
        return Reckoning(moved.date, (intro, *moved.steps[1:], f"= {format_date(moved.date)}"))

    def hesc_r12_3a(self, d: date) -> Reckoning:
        """HESC r.12(3)(a), then r.12(2): an appeal deadline ending 25 Dec-1 Jan or in August moves on.

        It moves to the first working day after 1 Jan or 31 Aug; days in those periods are not added
        to the appeal window, only a deadline that lands in them is moved.
        """
        if in_hesc_christmas_window(d):
            anchor = date(d.year + 1 if d.month == 12 else d.year, 1, 1)
            why = "falls between 25 Dec and 1 Jan inclusive"
        elif in_august(d):
            anchor = date(d.year, 8, 31)
            why = "falls in August"
        else:
            return self.hesc_r12_2(d)
        moved = self.add_working_days(anchor, 1)
        intro = (
            f"{format_date(d)} {why}, so the appeal is in time on the first working day after "
            f"{format_date(anchor)} (HESC Rules 2008 r.12(3)(a))"
        )
        # The first working day after the anchor is already a working day, so r.12(2) changes nothing.
        return Reckoning(moved.date, (intro, *moved.steps, f"= {format_date(moved.date)}"))

    def _count(self, d: date, n: int, *, forward: bool, hesc_exclusions: bool) -> Reckoning:
        if n < 0:
            raise ValueError(f"cannot count a negative number of working days ({n})")
        step = ONE_DAY if forward else -ONE_DAY
        steps: list[str] = []
        day = d
        counted = 0
        while counted < n:
            day += step
            reason = self.non_working_reason(day)
            if reason is None and hesc_exclusions:
                reason = _hesc_exclusion_reason(day)
            if reason is None:
                counted += 1
            else:
                steps.append(skipped(day, reason))
        return Reckoning(day, tuple(steps))


def _hesc_exclusion_reason(d: date) -> str | None:
    if in_hesc_christmas_window(d):
        return "25 Dec to 1 Jan, not counted under HESC Rules 2008 r.12(3)(b)"
    if in_august(d):
        return "August, not counted under HESC Rules 2008 r.12(3)(b)"
    return None


# Safe to share: the calendar is immutable and the bank-holiday cache is read-only per year.
DEFAULT_CALENDAR = WorkingCalendar()
