"""When reminders and escalations fall due: working days by the LA's calendar, bank holidays skipped."""

from __future__ import annotations

import datetime as dt

from mediation.reminders.schedule import (
    digest_horizon,
    escalation_date,
    is_escalation_due,
    last_due_reminded,
    reminder_dates,
    reminder_due,
    working_days_left,
)
from mediation.rules.calendar import WorkingCalendar

D = dt.date
CAL = WorkingCalendar()


def _dates(due: dt.date, calendar: WorkingCalendar = CAL) -> dict[str, dt.date]:
    return {r.kind: r.on for r in reminder_dates(due, calendar)}


def test_reminders_fall_5_and_2_working_days_before_and_on_the_due_day():
    # Due Friday 12 February 2027, an ordinary week: Fri 5 Feb, Wed 10 Feb, Fri 12 Feb.
    assert _dates(D(2027, 2, 12)) == {"5wd": D(2027, 2, 5), "2wd": D(2027, 2, 10), "due": D(2027, 2, 12)}
    # Due Friday 8 January 2027: New Year's Day is skipped, so the 5-day reminder is Thu 31 Dec 2026.
    assert _dates(D(2027, 1, 8)) == {"5wd": D(2026, 12, 31), "2wd": D(2027, 1, 6), "due": D(2027, 1, 8)}


def test_easter_bank_holidays_are_skipped_when_counting_back():
    # certificate_after_decline from Tue 23 Mar 2027 is due Tue 30 Mar 2027 (statute.md section 4).
    # Counting back skips Easter Monday 29 Mar and Good Friday 26 Mar.
    assert _dates(D(2027, 3, 30)) == {"5wd": D(2027, 3, 19), "2wd": D(2027, 3, 24), "due": D(2027, 3, 30)}


def test_christmas_and_new_year_are_skipped_when_counting_back():
    # Due Mon 4 Jan 2027: 1 Jan (New Year's Day), 28 Dec (Boxing Day, substitute) and 25 Dec are not counted.
    assert _dates(D(2027, 1, 4)) == {"5wd": D(2026, 12, 23), "2wd": D(2026, 12, 30), "due": D(2027, 1, 4)}


def test_a_due_date_on_a_weekend_or_holiday_is_reminded_on_the_working_day_before():
    assert _dates(D(2027, 1, 9))["due"] == D(2027, 1, 8)  # Saturday -> Friday
    assert _dates(D(2027, 3, 29))["due"] == D(2027, 3, 25)  # Easter Monday -> Thursday before Good Friday


def test_the_local_authoritys_own_closure_days_are_not_working_days():
    closed = WorkingCalendar({D(2027, 1, 6): "Council closure day"})
    assert _dates(D(2027, 1, 8), closed)["2wd"] == D(2027, 1, 5)


def test_only_the_latest_reminder_that_has_come_due_is_owed():
    due, started = D(2027, 3, 30), D(2027, 3, 1)

    def owed(today: dt.date) -> str | None:
        found = reminder_due(due=due, started_on=started, today=today, calendar=CAL)
        return found.kind if found else None

    assert owed(D(2027, 3, 18)) is None
    assert owed(D(2027, 3, 19)) == "5wd"
    assert owed(D(2027, 3, 23)) == "5wd"  # missed on the 19th (service down): still owed, once
    assert owed(D(2027, 3, 24)) == "2wd"  # now the 5-day reminder is stale and never sent
    assert owed(D(2027, 3, 26)) == "2wd"  # Good Friday: nothing new
    assert owed(D(2027, 3, 30)) == "due"
    assert owed(D(2027, 3, 31)) is None  # past due: escalation takes over


def test_a_reminder_dated_before_the_clock_started_never_applies():
    # A 3-working-day clock started Tue 23 Mar 2027 has no 5-day reminder (that would be Fri 19 Mar).
    due, started = D(2027, 3, 30), D(2027, 3, 23)
    assert reminder_due(due=due, started_on=started, today=D(2027, 3, 23), calendar=CAL) is None
    found = reminder_due(due=due, started_on=started, today=D(2027, 3, 24), calendar=CAL)
    assert found is not None and found.kind == "2wd"


def test_escalation_waits_for_the_next_working_day_after_the_due_date():
    # Due Thu 24 Dec 2026: Christmas Day, the weekend and Boxing Day (observed Mon 28 Dec) pass first.
    assert escalation_date(D(2026, 12, 24), CAL) == D(2026, 12, 29)
    assert not is_escalation_due(D(2026, 12, 24), D(2026, 12, 28), CAL)
    assert is_escalation_due(D(2026, 12, 24), D(2026, 12, 29), CAL)
    # Due Thu 25 Mar 2027: escalated Wed 31 Mar, after Good Friday and Easter Monday.
    assert escalation_date(D(2027, 3, 25), CAL) == D(2027, 3, 30)


def test_working_days_left_counts_after_today_up_to_the_due_date():
    assert working_days_left(D(2027, 3, 24), D(2027, 3, 30), CAL) == 2
    assert working_days_left(D(2027, 3, 30), D(2027, 3, 30), CAL) == 0


def test_the_digest_looks_five_working_days_ahead():
    assert digest_horizon(D(2027, 3, 22), CAL) == D(2027, 3, 31)  # Mon -> Wed after Easter


def test_no_due_date_after_the_last_reminded_one_is_owed_a_reminder_today():
    # Every day of 2027 on the national calendar and on a council's closed over Easter and Christmas:
    # the bound is exact (a reminder for every due date up to it, for none after it).
    closed = WorkingCalendar(
        {
            D(2027, 3, 31): "Closed",
            D(2027, 4, 1): "Closed",
            D(2027, 12, 29): "Closed",
            D(2027, 12, 30): "Closed",
        }
    )
    for calendar in (CAL, closed):
        for n in range(365):
            today = D(2027, 1, 1) + dt.timedelta(days=n)
            until = today + dt.timedelta(days=31)
            last = last_due_reminded(today, calendar, until)
            assert last is not None, today
            for ahead in range(32):
                due = today + dt.timedelta(days=ahead)
                owed = reminder_due(due=due, started_on=D(2026, 1, 1), today=today, calendar=calendar)
                assert (owed is not None) == (due <= last), (today, due, last)
    # Closures between today and the due date push the bound out: Wed 24 Mar 2027, Easter and two
    # closure days leave 3 working days up to Thu 1 Apr, so due dates a week later are reminded too.
    today = D(2027, 3, 24)
    national = last_due_reminded(today, CAL, today + dt.timedelta(days=31))
    council = last_due_reminded(today, closed, today + dt.timedelta(days=31))
    assert national is not None and council is not None
    assert council > national
