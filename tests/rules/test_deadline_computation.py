"""compute_deadline: the statute.md section 4 worked examples, explanations, bad input and properties."""

import inspect
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediation.rules import (
    DEFAULT_CALENDAR,
    RuleInputError,
    RuleNotInForce,
    UnknownRule,
    WorkingCalendar,
    all_rules,
    compute_deadline,
)
from mediation.rules.calendar import add_months

# --- statute.md section 4, worked examples (they must pass exactly) ---


def test_appeal_two_months_after_notice_with_no_certificate() -> None:
    deadline = compute_deadline("appeal", {"notice_sent": date(2027, 3, 10)})
    assert deadline.due == date(2027, 5, 10)
    assert deadline.unit == "later_of"
    assert deadline.status == "P"


def test_certificate_after_decline_skips_easter() -> None:
    deadline = compute_deadline("certificate_after_decline", {"start": date(2027, 3, 23)})
    assert deadline.due == date(2027, 3, 30)
    assert deadline.unit == "working_days"
    assert deadline.citation == "SEND Regulations 2014 reg 34"
    assert deadline.status == "S"
    assert deadline.explanation == (
        "3 working days after Tue 23 Mar 2027 (SEND Regulations 2014 reg 34)",
        "skipped Fri 26 Mar 2027 (Good Friday)",
        "skipped Sat 27 Mar 2027 (Saturday)",
        "skipped Sun 28 Mar 2027 (Sunday)",
        "skipped Mon 29 Mar 2027 (Easter Monday)",
        "due Tue 30 Mar 2027",
    )


def test_appeal_one_month_after_a_certificate_ending_at_christmas_moves_to_4_january() -> None:
    deadline = compute_deadline(
        "appeal", {"notice_sent": date(2027, 10, 1), "certificate_issued": date(2027, 11, 29)}
    )
    assert deadline.due == date(2028, 1, 4)
    assert [(c.input, c.base, c.due) for c in deadline.candidates] == [
        ("notice_sent", date(2027, 12, 1), date(2027, 12, 1)),
        ("certificate_issued", date(2027, 12, 29), date(2028, 1, 4)),
    ]
    assert "skipped Mon 3 Jan 2028 (New Year's Day (observed))" in deadline.explanation


def test_appeal_ending_in_august_moves_to_1_september() -> None:
    deadline = compute_deadline("appeal", {"notice_sent": date(2027, 6, 30)})
    assert deadline.due == date(2027, 9, 1)


def test_order_to_amend_plan_is_five_weeks_and_does_not_skip_august() -> None:
    deadline = compute_deadline("order_amend_plan", {"start": date(2027, 7, 14)})
    assert deadline.due == date(2027, 8, 18)
    assert deadline.unit == "weeks"


# --- other behaviours ---


def test_contract_example_with_a_later_certificate() -> None:
    deadline = compute_deadline("appeal", {"notice_sent": "2027-03-10", "certificate_issued": "2027-05-20"})
    assert deadline.due == date(2027, 6, 21)  # 20 Jun 2027 is a Sunday: r.12(2)
    assert deadline.candidates[0].due == date(2027, 5, 10)


def test_mediation_notice_is_the_fifth_working_day_before_the_mediation() -> None:
    deadline = compute_deadline("mediation_notice", {"mediation_date": date(2027, 3, 31)})
    assert deadline.due == date(2027, 3, 22)
    assert deadline.unit == "working_days_before"


def test_tribunal_response_does_not_count_august() -> None:
    # From Tue 20 Jul 2027: 21, 22, 23, 26-30 Jul = 8; August not counted; Sep 1-3 = 11, 6-10 = 16,
    # 13-17 = 21, 20-24 = 26, 27-30 = 30.
    deadline = compute_deadline("tribunal_la_response", {"start": date(2027, 7, 20)})
    assert deadline.due == date(2027, 9, 30)


# --- organisation closure days never extend a statutory time limit ---

# A local authority closed on the three working days after Tue 23 Mar 2027, and on every weekday from
# 15 Mar to 30 Apr 2027: enough to move every rule's date if closures were counted.
COUNCIL = WorkingCalendar(
    {
        date(2027, 3, 15) + timedelta(days=i): "Council closure day"
        for i in range(47)
        if (date(2027, 3, 15) + timedelta(days=i)).weekday() < 5
    }
)


def test_compute_deadline_has_no_calendar_parameter() -> None:
    # No statute lets a duty-holder's own closures extend its deadline, so no caller can pass them.
    assert "calendar" not in inspect.signature(compute_deadline).parameters


def test_an_la_closure_after_the_start_does_not_move_the_certificate_after_decline() -> None:
    start = date(2027, 3, 23)
    closed = WorkingCalendar(
        {date(2027, 3, 24): "Council closure day", date(2027, 3, 25): "Council closure day"}
    )
    assert closed.add_working_days(start, 3).date == date(2027, 4, 1)  # what counting closures would give
    deadline = compute_deadline("certificate_after_decline", {"start": start})
    assert deadline.due == date(2027, 3, 30)  # the same date as with no closures (Easter only)
    assert not any("Council closure day" in line for line in deadline.explanation)
    with pytest.raises(TypeError, match="calendar"):
        compute_deadline("certificate_after_decline", {"start": start}, calendar=closed)  # type: ignore[call-arg]


@pytest.mark.parametrize("rule_id", sorted({r.id for r in all_rules() if r.computable}))
def test_no_rule_can_be_given_an_organisation_calendar(rule_id: str) -> None:
    inputs: dict[str, date | str] = {"start": date(2027, 3, 23)}
    if rule_id == "appeal":
        inputs = {"notice_sent": date(2027, 3, 23)}
    elif rule_id == "mediation_notice":
        inputs = {"mediation_date": date(2027, 3, 31)}
    elif rule_id == "agreement_appealable":
        inputs["order"] = "order_amend_plan"
    deadline = compute_deadline(rule_id, inputs)
    assert not any("Council closure day" in line for line in deadline.explanation)
    with pytest.raises(TypeError, match="calendar"):
        compute_deadline(rule_id, inputs, calendar=COUNCIL)  # type: ignore[call-arg]


def test_a_send_regs_deadline_on_a_sunday_stays_put_and_says_so() -> None:
    deadline = compute_deadline("contact_mediation_adviser", {"start": date(2027, 3, 23)})
    assert deadline.due == date(2027, 5, 23)
    assert (
        deadline.explanation[-1]
        == "Sun 23 May 2027 is not a working day (Sunday); this time limit does not move"
    )


def test_discrimination_claim_is_six_months_starting_with_the_conduct_and_never_extended() -> None:
    assert compute_deadline("discrimination_claim", {"start": date(2027, 2, 10)}).due == date(2027, 8, 9)
    assert compute_deadline("discrimination_claim", {"start": date(2027, 8, 31)}).due == date(2028, 2, 29)
    # Starting with Sat 5 Jun 2027: ends the day before 5 Dec, Sat 4 Dec 2027, and does not roll forward.
    assert compute_deadline("discrimination_claim", {"start": date(2027, 6, 5)}).due == date(2027, 12, 4)


def test_agreement_on_appealable_matters_uses_the_matching_order_limit() -> None:
    deadline = compute_deadline(
        "agreement_appealable", {"start": date(2027, 7, 14), "order": "order_section_i"}
    )
    assert deadline.due == date(2027, 7, 28)
    assert deadline.unit == "weeks"
    assert deadline.citation.startswith("SEND Regulations 2014 reg 42(2); SEND Regulations 2014 reg 44(2)(f)")
    assert deadline.status == "S"  # the weaker of reg 42 (P) and reg 44(2)(f) (S)


# --- bad input ---


@pytest.mark.parametrize(
    ("rule_id", "inputs", "message"),
    [
        ("appeal", {}, "inputs.notice_sent is required for rule appeal"),
        ("appeal", {"start": date(2027, 1, 1)}, "inputs.start is not used by rule appeal"),
        ("certificate_after_decline", {"start": "2027-02-30"}, "inputs.start is not a valid date"),
        ("certificate_after_decline", {"start": "23/03/2027"}, "expected YYYY-MM-DD"),
        ("certificate_after_decline", {"start": datetime(2027, 3, 23, 9, 0)}, "not a date and time"),
        (
            "mediation_notice",
            {"start": date(2027, 3, 23)},
            "inputs.start is not used by rule mediation_notice",
        ),
        ("agreement_appealable", {"start": date(2027, 3, 23)}, "inputs.order is required"),
        (
            "agreement_appealable",
            {"start": date(2027, 3, 23), "order": "appeal"},
            "must name the matching order",
        ),
        ("agreement_override", {}, "recorded, not computed"),
        (
            "appeal",
            {"notice_sent": date(2027, 3, 10), "certificate_issued": date(2027, 3, 1)},
            "certificate_issued (2027-03-01) is before inputs.notice_sent",
        ),
    ],
)
def test_bad_inputs_are_refused_with_a_specific_message(
    rule_id: str, inputs: dict[str, date | str], message: str
) -> None:
    with pytest.raises(RuleInputError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        compute_deadline(rule_id, inputs)
    assert isinstance(caught.value, ValueError)
    assert message in caught.value.detail


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(UnknownRule, match="unknown rule 'apeal'"):
        compute_deadline("apeal", {"notice_sent": date(2027, 3, 10)})


def test_rule_not_in_force_on_the_decision_date_is_refused() -> None:
    with pytest.raises(RuleNotInForce):
        compute_deadline("recommendation_response", {"start": date(2017, 1, 9)})


# --- properties ---

RECENT = st.dates(min_value=date(2021, 1, 1), max_value=date(2035, 12, 31))
SINGLE_START = sorted(
    r.id for r in all_rules() if r.computable and r.unit not in {"later_of", "same_as_order"}
)  # fmt: skip


def _inputs(rule_id: str, start: date) -> dict[str, date | str]:
    rule = next(r for r in all_rules() if r.id == rule_id)
    return {rule.inputs[0]: start}


@pytest.mark.parametrize("rule_id", SINGLE_START)
@given(first=RECENT, gap=st.integers(min_value=0, max_value=60))
def test_a_later_start_never_gives_an_earlier_due_date(rule_id: str, first: date, gap: int) -> None:
    later = first + timedelta(days=gap)
    early_due = compute_deadline(rule_id, _inputs(rule_id, first)).due
    assert early_due <= compute_deadline(rule_id, _inputs(rule_id, later)).due


@given(
    first=RECENT,
    gap=st.integers(min_value=0, max_value=60),
    order=st.sampled_from(["order_amend_plan", "order_cease"]),
)
def test_agreement_due_dates_never_move_earlier(first: date, gap: int, order: str) -> None:
    due = [
        compute_deadline("agreement_appealable", {"start": d, "order": order}).due
        for d in (first, first + timedelta(days=gap))
    ]
    assert due[0] <= due[1]


# The appeal rule is in force from 1 Sep 2014 (two versions, computed the same way).
SINCE_2014 = st.dates(min_value=date(2014, 9, 1), max_value=date(2035, 12, 31))


@given(
    notice=SINCE_2014, cert_gap=st.none() | st.integers(min_value=0, max_value=120), gap=st.integers(0, 60)
)
def test_appeal_is_never_earlier_than_either_candidate_and_never_moves_earlier(
    notice: date, cert_gap: int | None, gap: int
) -> None:
    inputs: dict[str, date | str] = {"notice_sent": notice}
    if cert_gap is not None:
        inputs["certificate_issued"] = notice + timedelta(days=cert_gap)
    deadline = compute_deadline("appeal", inputs)
    assert deadline.due >= add_months(notice, 2).date
    assert deadline.due >= notice + timedelta(days=59)  # two months are at least 59 days
    assert all(deadline.due >= c.due >= c.base for c in deadline.candidates)
    assert deadline.due == max(c.due for c in deadline.candidates)
    assert DEFAULT_CALENDAR.is_working_day(deadline.due)
    # Adjusting each candidate then taking the later equals adjusting the later raw date.
    assert deadline.due == DEFAULT_CALENDAR.hesc_r12_3a(max(c.base for c in deadline.candidates)).date
    later = {k: v + timedelta(days=gap) for k, v in inputs.items() if isinstance(v, date)}
    assert compute_deadline("appeal", later).due >= deadline.due


@given(start=RECENT)
def test_tribunal_response_is_a_working_day_outside_august_and_christmas(start: date) -> None:
    due = compute_deadline("tribunal_la_response", {"start": start}).due
    assert DEFAULT_CALENDAR.is_working_day(due)
    assert due.month != 8
    assert not (due.month == 12 and due.day >= 25) and not (due.month == 1 and due.day == 1)


@given(start=RECENT)
def test_working_day_rules_land_on_working_days(start: date) -> None:
    for rule_id in ("certificate_after_decline", "certificate_after_mediation", "notify_health_commissioner"):
        assert DEFAULT_CALENDAR.is_working_day(compute_deadline(rule_id, {"start": start}).due)
    assert DEFAULT_CALENDAR.is_working_day(
        compute_deadline("mediation_notice", {"mediation_date": start}).due
    )
