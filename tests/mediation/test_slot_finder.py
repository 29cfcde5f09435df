"""The slot finder never offers an illegal time: checked against an independent statement of every rule."""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediation.rules.calendar import WorkingCalendar
from mediation.scheduling.slots import LONDON, Busy, SlotRules, check_slot, find_slots, local_datetime

ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2032))
NINE_TO_FIVE = {d: [(dt.time(9), dt.time(17))] for d in range(5)}


def rules(today: dt.date, **overrides) -> SlotRules:
    values = {
        "today": today,
        "now": local_datetime(today, dt.time(8)).astimezone(dt.UTC),
        "calendar": WorkingCalendar(),
        "duration": dt.timedelta(hours=3),
        "hours": NINE_TO_FIVE,
    }
    values.update(overrides)
    return SlotRules(**values)


def is_working(day: dt.date, closures: set[dt.date]) -> bool:
    return day.weekday() < 5 and day not in ENGLAND and day not in closures


def legal(slot_start: dt.datetime, slot_end: dt.datetime, r: SlotRules, closures: set[dt.date]) -> list[str]:
    """The rules written out again, independently of the code under test."""
    broken = []
    start, end = slot_start.astimezone(LONDON), slot_end.astimezone(LONDON)
    day = start.date()
    if slot_end - slot_start != r.duration:
        broken.append("duration")
    if slot_start <= r.now:
        broken.append("past")
    if not is_working(day, closures):
        broken.append("not a working day")
    if r.window_end is not None and day > r.window_end:
        broken.append("after the legal limit")
    if not r.shorter_notice_consent:
        # Notice counts national working days: closures block meeting days, never move a time limit.
        working_days_before = sum(
            is_working(r.today + dt.timedelta(days=i), set()) for i in range((day - r.today).days)
        )
        if working_days_before < 5:
            broken.append("less than 5 working days' notice")
    if not any(
        start.time() >= a and end.time() <= b and end.date() == day for a, b in r.hours.get(day.weekday(), [])
    ):
        broken.append("outside working hours")
    if any(first <= day <= last for first, last in r.leave):
        broken.append("on leave")
    if any(b.starts < slot_end and slot_start < b.ends for b in r.busy):
        broken.append("busy")
    return broken


def test_a_bank_holiday_is_never_offered():
    # Good Friday 26 Mar and Easter Monday 29 Mar 2027.
    found = find_slots(rules(dt.date(2027, 3, 15)))
    days = {s.local_start.date() for s in found.slots}
    assert dt.date(2027, 3, 26) not in days and dt.date(2027, 3, 29) not in days
    assert dt.date(2027, 3, 25) in days


def test_no_slot_gives_the_family_less_than_5_working_days_notice_without_consent():
    today = dt.date(2027, 3, 22)  # Monday; Good Friday and Easter Monday follow
    first = find_slots(rules(today)).slots[0].local_start.date()
    # Working days after Mon 22 Mar: 23, 24, 25, 30, 31 Mar; notice on the 22nd is in time for Wed 31 Mar.
    assert first == dt.date(2027, 3, 31)
    consented = find_slots(rules(today, shorter_notice_consent=True)).slots[0].local_start.date()
    assert consented == dt.date(2027, 3, 23)


def test_nothing_after_the_legal_limit_and_the_reason_when_nothing_fits():
    today = dt.date(2027, 3, 22)
    found = find_slots(rules(today, window_end=dt.date(2027, 3, 30)))
    assert found.slots == [] and found.past_legal_limit
    assert "after the legal limit of Tuesday 30 March 2027" in found.reasons[0]


def test_a_busy_mediator_and_leave_are_respected_and_explained():
    today = dt.date(2027, 6, 1)
    day = dt.date(2027, 6, 9)
    busy = Busy(
        local_datetime(day, dt.time(9)).astimezone(dt.UTC),
        local_datetime(day, dt.time(12)).astimezone(dt.UTC),
        "The mediator",
    )
    r = rules(today, busy=[busy], leave=[(dt.date(2027, 6, 10), dt.date(2027, 6, 11))])
    starts = [s.local_start for s in find_slots(r, limit=200).slots]
    assert local_datetime(day, dt.time(9)) not in starts
    assert local_datetime(day, dt.time(12)) in starts  # back to back is fine
    assert not any(s.date() in {dt.date(2027, 6, 10), dt.date(2027, 6, 11)} for s in starts)
    problems = check_slot(r, busy.starts, busy.ends)
    assert "The mediator is already booked at that time" in problems
    leave_start = local_datetime(dt.date(2027, 6, 10), dt.time(9)).astimezone(dt.UTC)
    assert any("on leave" in p for p in check_slot(r, leave_start, leave_start + dt.timedelta(hours=3)))


def test_an_organisation_closure_day_is_not_offered():
    closure = dt.date(2027, 6, 14)
    r = rules(dt.date(2027, 6, 1), calendar=WorkingCalendar({closure: "Council closure day"}))
    assert closure not in {s.local_start.date() for s in find_slots(r, limit=500).slots}


times = st.integers(min_value=14, max_value=36).map(
    lambda half_hours: dt.time(half_hours // 2, 30 * (half_hours % 2))
)


@st.composite
def slot_rules(draw) -> tuple[SlotRules, set[dt.date]]:
    today = draw(st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2030, 6, 1)))
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday in draw(st.sets(st.integers(0, 6), max_size=7)):
        a, b = sorted(draw(st.lists(times, min_size=2, max_size=2, unique=True)))
        hours[weekday] = [(a, b)]
    closures = set(
        draw(st.lists(st.dates(min_value=today, max_value=today + dt.timedelta(days=40)), max_size=5))
    )
    leave = []
    for start in draw(
        st.lists(st.dates(min_value=today, max_value=today + dt.timedelta(days=40)), max_size=3)
    ):
        leave.append((start, start + dt.timedelta(days=draw(st.integers(0, 5)))))
    busy = []
    for start in draw(
        st.lists(st.dates(min_value=today, max_value=today + dt.timedelta(days=40)), max_size=6)
    ):
        at = local_datetime(start, draw(times)).astimezone(dt.UTC)
        busy.append(Busy(at, at + dt.timedelta(minutes=30 * draw(st.integers(1, 10))), "someone"))
    window = draw(st.one_of(st.none(), st.integers(0, 40).map(lambda n: today + dt.timedelta(days=n))))
    r = SlotRules(
        today=today,
        now=local_datetime(today, draw(times)).astimezone(dt.UTC),
        calendar=WorkingCalendar({d: "Closure" for d in closures}),
        duration=dt.timedelta(minutes=30 * draw(st.integers(2, 10))),
        hours=hours,
        leave=leave,
        busy=busy,
        window_end=window,
        shorter_notice_consent=draw(st.booleans()),
    )
    return r, closures


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slot_rules())
def test_every_offered_slot_satisfies_every_rule_at_once(case):
    r, closures = case
    found = find_slots(r, limit=500)
    for slot in found.slots:
        assert legal(slot.starts_at, slot.ends_at, r, closures) == [], slot
        assert check_slot(r, slot.starts_at, slot.ends_at) == []
    if not found.slots:
        assert found.reasons


@settings(max_examples=200, deadline=None)
@given(slot_rules(), st.integers(0, 40), times)
def test_check_slot_refuses_exactly_the_illegal_times(case, days_ahead, at):
    r, closures = case
    start = local_datetime(r.today + dt.timedelta(days=days_ahead), at).astimezone(dt.UTC)
    end = start + r.duration
    assert (check_slot(r, start, end) == []) == (legal(start, end, r, closures) == [])
