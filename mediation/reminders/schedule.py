"""When a running clock is owed a reminder or an escalation: pure date logic on a working calendar.

Nothing is scheduled ahead: a sweep asks "what should have gone out by today?", so a clock that is met,
cancelled or recomputed changes its reminders by construction, and a day the service was down is made
good on the next sweep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mediation.rules.calendar import WorkingCalendar

# Working days before the due date on which whoever must act is reminded; 0 is the due date itself.
REMINDER_WORKING_DAYS: tuple[int, ...] = (5, 2, 0)
# Digests list clocks due within this many working days.
DIGEST_WORKING_DAYS = 5


@dataclass(frozen=True)
class Reminder:
    kind: str  # "5wd", "2wd" ... or "due"
    on: dt.date  # the working day it becomes due to be sent


def kind_for(working_days: int) -> str:
    return "due" if working_days == 0 else f"{working_days}wd"


def reminder_dates(
    due: dt.date, calendar: WorkingCalendar, offsets: tuple[int, ...] = REMINDER_WORKING_DAYS
) -> list[Reminder]:
    """Each reminder's send date, earliest first.

    N working days before the due date is the Nth working day before it. The reminder "on the day" goes
    on the due date if that is a working day, otherwise on the last working day before it: a duty under
    the SEND Regulations does not roll forward past a weekend or a bank holiday.
    """
    dates = []
    for n in sorted(set(offsets), reverse=True):
        if n == 0:
            on = due if calendar.is_working_day(due) else calendar.working_days_before(due, 1).date
        else:
            on = calendar.working_days_before(due, n).date
        dates.append(Reminder(kind_for(n), on))
    return dates


def reminder_due(
    *,
    due: dt.date,
    started_on: dt.date,
    today: dt.date,
    calendar: WorkingCalendar,
    offsets: tuple[int, ...] = REMINDER_WORKING_DAYS,
) -> Reminder | None:
    """The one reminder that should have gone out by `today`, or None.

    Only the latest applicable reminder counts: after a gap (the service was down) the missed one is
    sent late, once, but never after a later one has become due. A reminder dated before the clock
    started never applied (a 3-working-day clock has no 5-day reminder). Once the due date has passed,
    escalation takes over.
    """
    latest = latest_reminder(due=due, today=today, calendar=calendar, offsets=offsets)
    return latest if latest is not None and latest.on >= started_on else None


def latest_reminder(
    *,
    due: dt.date,
    today: dt.date,
    calendar: WorkingCalendar,
    offsets: tuple[int, ...] = REMINDER_WORKING_DAYS,
) -> Reminder | None:
    """The latest reminder for a due date that should have gone out by `today`, whenever the clock
    started (`reminder_due` then drops one dated before the start): None once the due date has passed."""
    if today > due:
        return None
    passed = [r for r in reminder_dates(due, calendar, offsets) if r.on <= today]
    return passed[-1] if passed else None


def last_due_reminded(today: dt.date, calendar: WorkingCalendar, until: dt.date) -> dt.date | None:
    """The latest due date up to `until` for which a reminder should have gone out by `today`, or None.

    Every earlier due date has one too (a reminder is due once fewer than 5 working days lie between
    today and the due date), so a sweep need read no clock due after it. Only the calendar's days
    between today and the due date count: closures outside that span change nothing.
    """
    due = until
    while due >= today:
        if latest_reminder(due=due, today=today, calendar=calendar) is not None:
            return due
        due -= dt.timedelta(days=1)
    return None


def escalation_date(due: dt.date, calendar: WorkingCalendar) -> dt.date:
    """A clock still running after its due date is escalated on the next working day after it."""
    return calendar.add_working_days(due, 1).date


def is_escalation_due(due: dt.date, today: dt.date, calendar: WorkingCalendar) -> bool:
    return today >= escalation_date(due, calendar)


def working_days_left(today: dt.date, due: dt.date, calendar: WorkingCalendar) -> int:
    """Working days after today up to and including the due date (0 when it is due today)."""
    count, day = 0, today
    while day < due:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def digest_horizon(today: dt.date, calendar: WorkingCalendar) -> dt.date:
    """The last due date a digest lists as coming up."""
    return calendar.add_working_days(today, DIGEST_WORKING_DAYS).date


class Timetable:
    """What the clocks due on each date are owed on one day, worked out once per (calendar, due date).

    A sweep meets the same few dozen due dates on hundreds of thousands of clocks: each answer is the
    one `reminder_due`, `is_escalation_due` and `working_days_left` give, counted once, not per clock.
    Calendars are told apart by identity (they are immutable: one per organisation with closures, the
    national one for the rest).
    """

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._reminders: dict[tuple[WorkingCalendar, dt.date], tuple[Reminder, int] | None] = {}
        self._escalations: dict[tuple[WorkingCalendar, dt.date], int | None] = {}

    def reminder(
        self, due: dt.date, started_on: dt.date, calendar: WorkingCalendar
    ) -> tuple[Reminder, int] | None:
        """The reminder owed today (as `reminder_due`) and the working days left, or None."""
        key = (calendar, due)
        if key not in self._reminders:
            latest = latest_reminder(due=due, today=self.today, calendar=calendar)
            self._reminders[key] = (
                None if latest is None else (latest, working_days_left(self.today, due, calendar))
            )
        found = self._reminders[key]
        return found if found is not None and found[0].on >= started_on else None

    def working_days_late(self, due: dt.date, calendar: WorkingCalendar) -> int | None:
        """The working days late when an escalation is due today (`is_escalation_due`), else None."""
        key = (calendar, due)
        if key not in self._escalations:
            self._escalations[key] = (
                working_days_left(due, self.today, calendar)
                if is_escalation_due(due, self.today, calendar)
                else None
            )
        return self._escalations[key]
