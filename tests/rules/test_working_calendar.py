"""The working-day calendar and period arithmetic (statute.md section 1); expected dates worked by hand."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.rules.calendar import (
    DEFAULT_CALENDAR,
    WorkingCalendar,
    add_days,
    add_months,
    add_weeks,
    format_date,
    in_august,
    in_hesc_christmas_window,
)

CAL = DEFAULT_CALENDAR
dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


def test_dates_are_written_day_name_day_month_year() -> None:
    assert format_date(date(2027, 3, 23)) == "Tue 23 Mar 2027"
    assert format_date(date(2028, 1, 4)) == "Tue 4 Jan 2028"


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 3, 27), "Saturday"),
        (date(2027, 3, 28), "Sunday"),
        (date(2027, 5, 3), "May Day"),
        (date(2027, 8, 30), "Late Summer Bank Holiday"),
        # 25 Dec 2027 is a Saturday: the substitute days are Mon 27 and Tue 28 Dec.
        (date(2027, 12, 25), "Christmas Day"),
        (date(2027, 12, 26), "Boxing Day"),
        (date(2027, 12, 27), "Christmas Day (observed)"),
        (date(2027, 12, 28), "Boxing Day (observed)"),
        # 1 Jan 2028 is a Saturday: the substitute is Mon 3 Jan.
        (date(2028, 1, 3), "New Year's Day (observed)"),
        # 25 Dec 2022 was a Sunday: Christmas was observed on Tue 27 Dec.
        (date(2022, 12, 27), "Christmas Day (observed)"),
        (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Coronation of Charles III"),
    ],
)
def test_non_working_days_are_named(day: date, reason: str) -> None:
    assert CAL.non_working_reason(day) == reason
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2027, 3, 25), date(2027, 3, 30), date(2027, 12, 29), date(2027, 8, 2)])
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert CAL.non_working_reason(day) is None
    assert CAL.is_working_day(day)


def test_working_days_skip_easter_and_explain_each_skipped_day() -> None:
    result = CAL.add_working_days(date(2027, 3, 23), 3)
    assert result.date == date(2027, 3, 30)
    assert result.steps == (
        "skipped Fri 26 Mar 2027 (Good Friday)",
        "skipped Sat 27 Mar 2027 (Saturday)",
        "skipped Sun 28 Mar 2027 (Sunday)",
        "skipped Mon 29 Mar 2027 (Easter Monday)",
    )


def test_first_working_day_after_christmas_eve_2027_is_the_29th() -> None:
    assert CAL.add_working_days(date(2027, 12, 24), 1).date == date(2027, 12, 29)


def test_first_working_day_after_new_year_2028_is_tuesday_4_january() -> None:
    assert CAL.add_working_days(date(2027, 12, 31), 1).date == date(2028, 1, 4)


def test_the_start_day_is_not_counted_even_when_it_is_a_working_day() -> None:
    assert CAL.add_working_days(date(2027, 3, 22), 1).date == date(2027, 3, 23)
    assert CAL.add_working_days(date(2027, 3, 27), 1).date == date(2027, 3, 30)  # from a Saturday


def test_zero_working_days_is_the_start_day_and_negative_counts_are_refused() -> None:
    assert CAL.add_working_days(date(2027, 3, 27), 0).date == date(2027, 3, 27)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2027, 3, 27), -1)


def test_working_days_before_count_back_over_easter() -> None:
    result = CAL.working_days_before(date(2027, 3, 31), 5)
    assert result.date == date(2027, 3, 22)
    assert "skipped Fri 26 Mar 2027 (Good Friday)" in result.steps


def test_next_working_day_on_or_after() -> None:
    assert CAL.next_working_day_on_or_after(date(2027, 3, 30)).date == date(2027, 3, 30)
    assert CAL.next_working_day_on_or_after(date(2027, 12, 25)).date == date(2027, 12, 29)


def test_organisation_closure_days_are_named_and_not_worked() -> None:
    council = WorkingCalendar({date(2027, 12, 29): "Council closure day"})
    assert council.non_working_reason(date(2027, 12, 29)) == "Council closure day"
    assert council.add_working_days(date(2027, 12, 24), 1).date == date(2027, 12, 30)
    assert DEFAULT_CALENDAR.is_working_day(date(2027, 12, 29))  # the shared calendar is not changed
    assert council.national().is_working_day(date(2027, 12, 29))


def test_calendar_days_and_weeks() -> None:
    assert add_days(date(2027, 3, 23), 30).date == date(2027, 4, 22)
    assert add_weeks(date(2027, 7, 14), 5).date == date(2027, 8, 18)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 3, 10), 2, date(2027, 5, 10)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # not a leap year
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 8, 31), 1, date(2027, 9, 30)),
        (date(2027, 11, 29), 1, date(2027, 12, 29)),
        (date(2099, 12, 31), 2, date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2099, 12, 31), 14, date(2101, 2, 28)),
    ],
)
def test_months_end_on_the_corresponding_date_or_the_last_day_of_the_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months).date == expected


def test_month_end_clamping_is_explained() -> None:
    result = add_months(date(2027, 12, 31), 2)
    assert result.steps == (
        "Feb 2028 has no day 31, so the period ends on the last day of that month, Tue 29 Feb 2028",
    )


@pytest.mark.parametrize(
    ("ends", "expected"),
    [
        (date(2027, 12, 25), date(2028, 1, 4)),
        (date(2027, 12, 29), date(2028, 1, 4)),
        (date(2028, 1, 1), date(2028, 1, 4)),
        (date(2027, 8, 1), date(2027, 9, 1)),
        (date(2027, 8, 31), date(2027, 9, 1)),
        (date(2029, 8, 15), date(2029, 9, 3)),  # 1 Sep 2029 is a Saturday
        (date(2027, 12, 24), date(2027, 12, 24)),  # a working day outside both windows: unchanged
        (date(2027, 5, 23), date(2027, 5, 24)),  # a Sunday: r.12(2) only
        (date(2028, 1, 2), date(2028, 1, 4)),  # outside the window, but Sun then a bank holiday: r.12(2)
    ],
)
def test_hesc_r12_3a_moves_an_appeal_deadline_out_of_christmas_and_august(ends: date, expected: date) -> None:
    assert CAL.hesc_r12_3a(ends).date == expected


def test_hesc_r12_3b_does_not_count_christmas_to_new_year() -> None:
    # Working days after Thu 23 Dec 2027: Fri 24 (1); 25 Dec-1 Jan not counted; Mon 3 Jan is a bank
    # holiday; Tue 4 (2), Wed 5 (3).
    result = CAL.add_working_days_hesc(date(2027, 12, 23), 3)
    assert result.date == date(2028, 1, 5)
    assert "skipped Wed 29 Dec 2027 (25 Dec to 1 Jan, not counted under HESC Rules 2008 r.12(3)(b))" in (
        result.steps
    )


@given(dates, st.integers(min_value=1, max_value=40))
def test_a_working_day_result_is_a_working_day_after_the_start(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n).date
    assert result > start
    assert CAL.is_working_day(result)
    span = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(CAL.is_working_day(d) for d in span) == n


@given(dates, st.integers(min_value=1, max_value=40))
def test_working_days_before_is_a_working_day_before_the_date(day: date, n: int) -> None:
    result = CAL.working_days_before(day, n).date
    assert result < day
    assert CAL.is_working_day(result)


@given(dates, st.integers(min_value=1, max_value=40))
def test_hesc_counting_never_ends_in_august_or_at_christmas(start: date, n: int) -> None:
    result = CAL.add_working_days_hesc(start, n).date
    assert CAL.is_working_day(result)
    assert not in_august(result)
    assert not in_hesc_christmas_window(result)


@given(dates)
def test_hesc_r12_3a_result_is_a_working_day_and_never_earlier(ends: date) -> None:
    result = CAL.hesc_r12_3a(ends).date
    assert result >= ends
    assert CAL.is_working_day(result)
    if in_august(ends) or in_hesc_christmas_window(ends):
        assert not in_august(result)
        assert not in_hesc_christmas_window(result)
    else:
        # Only r.12(2) applies; it may land in a window (Sat 24 Dec 2016 -> Wed 28 Dec 2016), and
        # r.12(3)(a) does not then apply because the time did not *end* in the window.
        assert result == CAL.next_working_day_on_or_after(ends).date


def test_a_deadline_ending_on_christmas_eve_saturday_rolls_only_under_r12_2() -> None:
    assert CAL.hesc_r12_3a(date(2016, 12, 24)).date == date(2016, 12, 28)
    assert CAL.hesc_r12_3a(date(2027, 7, 31)).date == date(2027, 8, 2)


@given(dates, dates)
def test_hesc_r12_3a_keeps_the_order_of_dates(a: date, b: date) -> None:
    early, late = sorted((a, b))
    assert CAL.hesc_r12_3a(early).date <= CAL.hesc_r12_3a(late).date


@given(dates, st.integers(min_value=0, max_value=30))
def test_months_never_go_backwards(start: date, n: int) -> None:
    assert add_months(start, n).date <= add_months(start + timedelta(days=1), n).date
    assert add_months(start, n).date.day <= start.day
