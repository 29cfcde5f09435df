"""Finding mediation slots: every time offered satisfies every rule at once (pure: no web, no database).

The rules for one slot live in `check_slot`; the finder only walks the mediator's working pattern and
keeps the candidates that `check_slot` passes, so a booking re-checks exactly what the finder checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from mediation.rules.calendar import WorkingCalendar, format_long_date
from mediation.rules.deadlines import compute_deadline

LONDON = ZoneInfo("Europe/London")
STEP = dt.timedelta(minutes=30)
NO_WINDOW_SEARCH_DAYS = 60  # how far ahead to look when no statutory window limits the date


def when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """'Friday 8 January 2027, 10:00am to 1:00pm' in England's local time: how every page and message
    says when a meeting is (`sessions/invites.py` and the rest import it from there)."""
    start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    return f"{start:%A} {start.day} {start:%B %Y}, {_clock(start)} to {_clock(end)}"


def _clock(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


@dataclass(frozen=True)
class Busy:
    """Someone or something already taken between `starts` and `ends` (UTC, end exclusive)."""

    starts: dt.datetime
    ends: dt.datetime
    what: str  # "the mediator", "the room", "Priya Shah (local authority)"


@dataclass(frozen=True)
class SlotRules:
    """Everything a slot must satisfy. Times of day are local to England."""

    today: dt.date
    now: dt.datetime  # UTC; no slot may start before it
    calendar: WorkingCalendar  # the arranging body's working days (bank holidays and closures)
    duration: dt.timedelta
    hours: Mapping[int, Sequence[tuple[dt.time, dt.time]]]  # weekday -> the mediator's working blocks
    leave: Sequence[tuple[dt.date, dt.date]] = ()  # first and last day, inclusive
    busy: Sequence[Busy] = ()
    window_end: dt.date | None = None  # the last day the law allows (the mediation_held_by_* due date)
    shorter_notice_consent: bool = False


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(LONDON)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(LONDON)

    def key(self) -> str:
        return f"{self.starts_at.isoformat()}/{self.ends_at.isoformat()}"


@dataclass
class SlotSearch:
    slots: list[Slot] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why nothing (more) fits
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    past_legal_limit: bool = False  # nothing fits before the statutory limit


long_day = format_long_date  # kept as the name this module's messages use


def local_datetime(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=LONDON)


def latest_notice_date(day: dt.date) -> dt.date:
    """The last day notice of a mediation on `day` may be sent (mediation_notice: 5 working days before,
    national working days: closures block meeting days, they never move a time limit)."""
    return compute_deadline("mediation_notice", {"mediation_date": day}).due


def earliest_day(rules: SlotRules) -> dt.date:
    """The first day a session may be held, counting the notice the family must be given."""
    day = rules.today + dt.timedelta(days=1)
    if rules.shorter_notice_consent:
        return day
    while latest_notice_date(day) < rules.today:
        day += dt.timedelta(days=1)
    return day


def _day_problem(rules: SlotRules, day: dt.date) -> str | None:
    if rules.window_end is not None and day > rules.window_end:
        limit = long_day(rules.window_end)
        return f"{long_day(day)} is after the legal limit for holding mediation ({limit})"
    reason = rules.calendar.non_working_reason(day)
    if reason is not None:
        return f"{long_day(day)} is not a working day ({reason})"
    if not rules.shorter_notice_consent and latest_notice_date(day) < rules.today:
        return (
            f"{long_day(day)} does not give the family 5 working days' notice of the date and place, "
            "and they have not agreed to less"
        )
    for first, last in rules.leave:
        if first <= day <= last:
            return f"the mediator is on leave on {long_day(day)}"
    return None


def check_slot(rules: SlotRules, starts_at: dt.datetime, ends_at: dt.datetime) -> list[str]:
    """Every reason this exact slot cannot be booked; empty when it can."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("slot times must carry a time zone")
    problems: list[str] = []
    local_start, local_end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    day = local_start.date()
    if ends_at <= starts_at:
        return ["the session must end after it starts"]
    if local_end.date() != day:
        problems.append("the session must start and end on the same day")
    if starts_at <= rules.now:
        problems.append("the time has already passed")
    day_problem = _day_problem(rules, day)
    if day_problem:
        problems.append(day_problem)
    blocks = rules.hours.get(day.weekday(), ())
    if not any(
        local_datetime(day, start) <= local_start and local_end <= local_datetime(day, end)
        for start, end in blocks
    ):
        problems.append("the time is outside the mediator's working hours")
    for busy in rules.busy:
        if busy.starts < ends_at and starts_at < busy.ends:
            problems.append(f"{busy.what} is already booked at that time")
    return list(dict.fromkeys(problems))


def find_slots(rules: SlotRules, *, limit: int = 40) -> SlotSearch:
    """The bookable slots from the earliest legal day to the legal limit, earliest first."""
    first = earliest_day(rules)
    last = rules.window_end or (rules.today + dt.timedelta(days=NO_WINDOW_SEARCH_DAYS))
    result = SlotSearch(first_day=first, last_day=last)
    if not any(rules.hours.values()):
        result.reasons.append("the mediator has no working hours recorded")
    if first > last:
        result.past_legal_limit = rules.window_end is not None
        result.reasons.append(
            f"the earliest date that gives the family enough notice is {long_day(first)}, after the "
            f"legal limit of {long_day(last)}"
        )
        return result
    day = first
    while day <= last and len(result.slots) < limit:
        if _day_problem(rules, day) is None:
            for start, end in sorted(rules.hours.get(day.weekday(), ())):
                begin = local_datetime(day, start)
                while begin + rules.duration <= local_datetime(day, end) and len(result.slots) < limit:
                    starts_at = begin.astimezone(dt.UTC)
                    ends_at = (begin + rules.duration).astimezone(dt.UTC)
                    if not check_slot(rules, starts_at, ends_at):
                        result.slots.append(Slot(starts_at, ends_at))
                    begin += STEP
        day += dt.timedelta(days=1)
    if not result.slots:
        result.past_legal_limit = rules.window_end is not None
        result.reasons.append(
            f"the mediator, the room and every attendee are not all free for "
            f"{_hours(rules.duration)} on any working day from {long_day(first)} to {long_day(last)}"
        )
    return result


def _hours(duration: dt.timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    text = f"{hours} hour{'s' if hours != 1 else ''}" if hours else ""
    if rest:
        text = f"{text} {rest} minutes".strip()
    return text
