"""Every catalogue row, with an expected date worked out by hand (calendar: Easter 2027 is 26-29 Mar)."""

import re
from datetime import date
from pathlib import Path

import pytest

from mediation.rules import (
    RuleNotInForce,
    UnknownRule,
    all_rules,
    compute_deadline,
    format_date,
    rule_for,
    versions,
)
from mediation.rules.catalogue import RULES, SEND_AMENDMENT_2015, Rule

# Every id named in statute.md section 3, with `unopposed_*` expanded and "(override)" named.
STATUTE_IDS = {
    "contact_mediation_adviser", "certificate_after_decline", "notify_health_commissioner",
    "mediation_held_by_la", "mediation_held_by_icb", "mediation_notice", "certificate_unable_to_arrange",
    "certificate_after_mediation", "agreement_appealable", "agreement_non_appealable",
    "agreement_icb_tells_la", "agreement_override", "appeal", "tribunal_la_response",
    "order_assess_notify", "order_assess_no_plan", "order_assess_final_plan", "order_issue_draft_plan",
    "order_issue_final_plan", "order_amend_plan", "order_section_i", "order_cease", "order_continue",
    "order_reconsider", "unopposed_assess_notify", "unopposed_assess_no_plan", "unopposed_assess_final_plan",
    "unopposed_issue_draft_plan", "unopposed_issue_final_plan", "unopposed_amend_plan", "unopposed_section_i",
    "unopposed_plan_contents", "recommendation_response", "discrimination_claim", "ehc_assessment_decision",
    "ehc_final_plan", "draft_plan_representations", "review_amended_plan",
}  # fmt: skip

START = date(2027, 3, 23)  # a Tuesday, just before Easter 2027
S: dict[str, date | str] = {"start": START}

# rule id -> (inputs, expected due date), each worked by hand.
EXPECTED: dict[str, tuple[dict[str, date | str], date]] = {
    "contact_mediation_adviser": (S, date(2027, 5, 23)),  # a Sunday: SEND Regs limits do not move
    "certificate_after_decline": (S, date(2027, 3, 30)),  # skips Good Friday to Easter Monday
    "notify_health_commissioner": (S, date(2027, 3, 30)),
    "mediation_held_by_la": (S, date(2027, 4, 22)),  # 30 calendar days
    "mediation_held_by_icb": (S, date(2027, 4, 22)),
    "mediation_notice": ({"mediation_date": date(2027, 3, 31)}, date(2027, 3, 22)),
    "certificate_unable_to_arrange": (S, date(2027, 3, 30)),
    "certificate_after_mediation": (S, date(2027, 3, 30)),
    "agreement_appealable": ({"start": START, "order": "order_amend_plan"}, date(2027, 4, 27)),
    "agreement_non_appealable": (S, date(2027, 4, 6)),
    "agreement_icb_tells_la": (S, date(2027, 3, 30)),
    "appeal": ({"notice_sent": START}, date(2027, 5, 24)),  # 23 May is a Sunday: r.12(2) gives Monday
    "tribunal_la_response": (S, date(2027, 5, 7)),  # 30 working days; Easter and May Day skipped
    "order_assess_notify": (S, date(2027, 4, 6)),
    "order_assess_no_plan": (S, date(2027, 6, 1)),
    "order_assess_final_plan": (S, date(2027, 6, 29)),
    "order_issue_draft_plan": (S, date(2027, 4, 27)),
    "order_issue_final_plan": (S, date(2027, 6, 8)),
    "order_amend_plan": (S, date(2027, 4, 27)),
    "order_section_i": (S, date(2027, 4, 6)),
    "order_cease": (S, START),
    "order_continue": (S, START),
    "order_reconsider": (S, date(2027, 4, 6)),
    "unopposed_assess_notify": (S, date(2027, 4, 6)),
    "unopposed_assess_no_plan": (S, date(2027, 6, 1)),
    "unopposed_assess_final_plan": (S, date(2027, 6, 29)),
    "unopposed_issue_draft_plan": (S, date(2027, 4, 27)),
    "unopposed_issue_final_plan": (S, date(2027, 6, 8)),
    "unopposed_amend_plan": (S, date(2027, 4, 27)),
    "unopposed_section_i": (S, date(2027, 4, 6)),
    "unopposed_plan_contents": (S, date(2027, 4, 27)),
    "recommendation_response": (S, date(2027, 4, 27)),
    "discrimination_claim": (S, date(2027, 9, 22)),  # 6 months starting with 23 Mar ends 22 Sep
    "ehc_assessment_decision": (S, date(2027, 5, 4)),
    "ehc_final_plan": (S, date(2027, 8, 10)),
    "draft_plan_representations": (S, date(2027, 4, 6)),  # 15 days beginning with 23 Mar
    "review_amended_plan": (S, date(2027, 5, 18)),
}

EXPECTED_UNITS = {
    "appeal": "later_of",
    "mediation_notice": "working_days_before",
    "certificate_after_decline": "working_days",
    "tribunal_la_response": "working_days",
    "mediation_held_by_la": "days",
    "order_amend_plan": "weeks",
    "agreement_appealable": "weeks",
    "order_cease": "immediately",
    "contact_mediation_adviser": "months",
    "discrimination_claim": "months",
}


def _statute_path() -> Path | None:
    repo = Path(__file__).resolve().parents[2]
    for candidate in (repo.parent / "shared" / "docs" / "statute.md", Path("/work/shared/docs/statute.md")):
        if candidate.is_file():
            return candidate
    return None


def test_catalogue_holds_every_rule_named_in_the_statute() -> None:
    ids = {rule.id for rule in all_rules()}
    assert ids == STATUTE_IDS


def test_catalogue_matches_the_table_in_statute_md() -> None:
    path = _statute_path()
    if path is None:
        pytest.skip("statute.md is not beside the repository")
    text = path.read_text(encoding="utf-8")
    section = text.split("## 3. Rule catalogue", 1)[1].split("\n## ", 1)[0]
    named: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `") or line.startswith("| (override)"):
            first_cell = line.split("|")[1]
            named.update(re.findall(r"`([a-z_*]+)`", first_cell))
            if "(override)" in first_cell:
                named.add("agreement_override")
    ids = {rule.id for rule in all_rules()}
    for name in named:
        if name.endswith("*"):
            assert any(i.startswith(name[:-1]) for i in ids), name
        else:
            assert name in ids, name
    assert len(named) >= 30


@pytest.mark.parametrize("rule_id", sorted(STATUTE_IDS - {"agreement_override"}))
def test_every_rule_computes_its_hand_worked_date(rule_id: str) -> None:
    inputs, expected = EXPECTED[rule_id]
    deadline = compute_deadline(rule_id, inputs)
    assert deadline.due == expected
    assert deadline.rule == rule_id
    assert deadline.citation
    assert deadline.explanation[0].endswith(f"({deadline.citation})")
    assert f"due {format_date(expected)}" in deadline.explanation


# Superseded versions, keyed by (rule id, effective_from): (inputs, expected due date), worked by hand.
HISTORIC_EXPECTED: dict[tuple[str, date], tuple[dict[str, date | str], date]] = {
    # Reg 45 as made: 4 weeks. Mon 5 Jan 2015 + 28 days = Mon 2 Feb 2015.
    ("unopposed_assess_notify", date(2014, 9, 1)): ({"start": date(2015, 1, 5)}, date(2015, 2, 2)),
    ("unopposed_plan_contents", date(2014, 9, 1)): ({"start": date(2015, 1, 5)}, date(2015, 2, 2)),
    # 2 months after Fri 28 Jun 2019 = Wed 28 Aug 2019, in August: the first working day after Sat 31 Aug
    # is Mon 2 Sep 2019 (Sun 1 Sep skipped).
    ("appeal", date(2014, 9, 1)): ({"notice_sent": date(2019, 6, 28)}, date(2019, 9, 2)),
}


def test_every_superseded_row_has_a_hand_worked_date() -> None:
    superseded = {(r.id, r.effective_from) for r in RULES if r.effective_to is not None}
    assert superseded == set(HISTORIC_EXPECTED)


@pytest.mark.parametrize(("key"), sorted(HISTORIC_EXPECTED), ids=lambda k: f"{k[0]}@{k[1]}")
def test_every_superseded_row_computes_its_hand_worked_date(key: tuple[str, date]) -> None:
    rule_id, effective_from = key
    inputs, expected = HISTORIC_EXPECTED[key]
    deadline = compute_deadline(rule_id, inputs)
    assert deadline.effective_from == effective_from
    assert deadline.due == expected
    assert deadline.explanation[0].endswith(f"({deadline.citation})")
    assert f"due {format_date(expected)}" in deadline.explanation


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_UNITS))
def test_units_reported_to_the_api(rule_id: str) -> None:
    inputs, _ = EXPECTED[rule_id]
    assert compute_deadline(rule_id, inputs).unit == EXPECTED_UNITS[rule_id]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}@{r.effective_from}")
def test_every_row_is_complete_and_cites_its_source(rule: Rule) -> None:
    assert rule.status in {"P", "S", "U"}
    assert rule.citation and rule.start_event and rule.who_must_act
    assert rule.duration >= 0
    assert rule.hesc_adjustments == (rule.id == "appeal" or rule.id.startswith("tribunal_"))
    assert rule.effective_to is None or rule.effective_to > rule.effective_from


def test_versions_of_one_rule_do_not_overlap_and_take_the_same_inputs() -> None:
    for rule_id in STATUTE_IDS:
        found = versions(rule_id)
        for older, newer in zip(found, found[1:], strict=False):
            assert older.effective_to is not None and older.effective_to < newer.effective_from
            assert (older.inputs, older.optional_inputs) == (newer.inputs, newer.optional_inputs)


@pytest.mark.parametrize(
    ("rule_id", "effective_from"),
    [
        ("certificate_after_decline", date(2014, 9, 1)),
        ("order_amend_plan", date(2015, 3, 23)),  # SI 2015/359 (send-law.md 4.4)
        ("unopposed_amend_plan", date(2015, 3, 23)),
        ("recommendation_response", date(2018, 4, 3)),
        ("tribunal_la_response", date(2008, 11, 3)),
        ("appeal", date(2020, 7, 21)),
        ("discrimination_claim", date(2010, 10, 1)),
    ],
)
def test_rules_carry_the_date_they_took_effect(rule_id: str, effective_from: date) -> None:
    assert rule_for(rule_id, date(2027, 1, 1)).effective_from == effective_from


def test_a_case_uses_the_rule_version_in_force_on_its_decision_date() -> None:
    assert rule_for("unopposed_assess_notify", date(2015, 1, 5)).duration == 4
    assert rule_for("unopposed_assess_notify", date(2015, 4, 1)).duration == 2
    old = compute_deadline("unopposed_assess_notify", {"start": date(2015, 1, 5)})
    assert old.due == date(2015, 2, 2)  # 4 weeks under reg 45 as made
    new = compute_deadline("unopposed_assess_notify", {"start": date(2015, 6, 1)})
    assert new.due == date(2015, 6, 15)
    pinned = compute_deadline(
        "unopposed_assess_notify", {"start": date(2015, 6, 1)}, decision_date=date(2015, 1, 5)
    )
    assert pinned.due == date(2015, 6, 29)


def test_unknown_and_not_yet_in_force_rules_are_refused() -> None:
    with pytest.raises(UnknownRule, match="unknown rule 'appeals'"):
        rule_for("appeals", date(2027, 1, 1))
    with pytest.raises(RuleNotInForce, match="order_amend_plan was not in force on 2014-10-01"):
        rule_for("order_amend_plan", date(2014, 10, 1))


def test_all_rules_lists_only_current_versions() -> None:
    current = all_rules()
    assert len(current) == len({r.id for r in current})
    in_force_early_2015 = {r.id for r in all_rules(date(2015, 1, 5))}
    assert "unopposed_assess_notify" in in_force_early_2015
    assert "order_amend_plan" not in in_force_early_2015
    assert "appeal" in in_force_early_2015  # HESC r.12(3)(a) applied to SEN appeals before 2020 too


# --- SI 2015/359 commencement: 23 Mar 2015 (send-law.md 4.4, "Superseded: 23/03/2015") ---


def test_si_2015_359_commences_on_23_march_2015() -> None:
    assert date(2015, 3, 23) == SEND_AMENDMENT_2015
    for rule_id in ("unopposed_assess_notify", "unopposed_plan_contents"):
        old, new = versions(rule_id)
        assert old.effective_to == date(2015, 3, 22)
        assert new.effective_from == SEND_AMENDMENT_2015


@pytest.mark.parametrize(
    ("rule_id", "day_before", "day_of"),
    [
        # Notified Mon 23 Mar 2015. Reg 45 as made: 4 weeks = Mon 20 Apr. As substituted: 2 weeks = Mon 6
        # Apr 2015 (Easter Monday: a SEND Regs duty does not roll forward) / 5 weeks = Mon 27 Apr.
        ("unopposed_assess_notify", date(2015, 4, 20), date(2015, 4, 6)),
        ("unopposed_plan_contents", date(2015, 4, 20), date(2015, 4, 27)),
    ],
)
def test_a_decision_the_day_before_si_2015_359_uses_reg_45_as_made(
    rule_id: str, day_before: date, day_of: date
) -> None:
    start: dict[str, date | str] = {"start": date(2015, 3, 23)}
    before = compute_deadline(rule_id, start, decision_date=date(2015, 3, 22))
    assert (before.due, before.effective_from) == (day_before, date(2014, 9, 1))
    assert "(as made)" in before.citation
    on = compute_deadline(rule_id, start, decision_date=date(2015, 3, 23))
    assert (on.due, on.effective_from) == (day_of, date(2015, 3, 23))
    assert "as substituted by SI 2015/359" in on.citation


def test_the_la_notifying_the_tribunal_on_22_or_23_march_2015() -> None:
    # The decision date defaults to the start: Sun 22 Mar + 4 weeks = Sun 19 Apr 2015 (no roll forward).
    assert compute_deadline("unopposed_assess_notify", {"start": date(2015, 3, 22)}).due == date(2015, 4, 19)
    assert compute_deadline("unopposed_assess_notify", {"start": date(2015, 3, 23)}).due == date(2015, 4, 6)


def test_reg_44_order_limits_start_with_si_2015_359() -> None:
    with pytest.raises(RuleNotInForce, match="order_amend_plan was not in force on 2015-03-22"):
        compute_deadline("order_amend_plan", {"start": date(2015, 3, 22)})
    # Mon 23 Mar 2015 + 5 weeks = Mon 27 Apr 2015.
    assert compute_deadline("order_amend_plan", {"start": date(2015, 3, 23)}).due == date(2015, 4, 27)


def test_superseded_reg_45_rows_say_where_the_commencement_date_comes_from() -> None:
    for rule_id in ("unopposed_assess_notify", "unopposed_plan_contents"):
        old = versions(rule_id)[0]
        assert "23 Mar 2015" in old.notes
        assert "reg 1" in old.notes  # the research does not quote SI 2015/359 reg 1 itself


# --- appeal: HESC r.12(3)(a) from 1 Sep 2014, before and after the 2020 amendment ---


def test_an_appeal_notice_sent_in_june_2019_ends_on_the_first_working_day_of_september() -> None:
    deadline = compute_deadline("appeal", {"notice_sent": date(2019, 6, 28)})
    assert deadline.due == date(2019, 9, 2)
    assert deadline.candidates[0].base == date(2019, 8, 28)
    assert any("r.12(3)(a)" in line and "August" in line for line in deadline.explanation)
    assert deadline.effective_from == date(2014, 9, 1)


def test_an_appeal_certificate_month_ending_at_christmas_2018_moves_to_2_january_2019() -> None:
    # Notice Mon 1 Oct 2018: 2 months = Sat 1 Dec 2018, so Mon 3 Dec (r.12(2)). Certificate Tue 27 Nov
    # 2018: 1 month = Thu 27 Dec 2018, inside 25 Dec-1 Jan, so the first working day after Tue 1 Jan 2019.
    deadline = compute_deadline(
        "appeal", {"notice_sent": date(2018, 10, 1), "certificate_issued": date(2018, 11, 27)}
    )
    assert [(c.input, c.base, c.due) for c in deadline.candidates] == [
        ("notice_sent", date(2018, 12, 1), date(2018, 12, 3)),
        ("certificate_issued", date(2018, 12, 27), date(2019, 1, 2)),
    ]
    assert deadline.due == date(2019, 1, 2)
    assert any("falls between 25 Dec and 1 Jan" in line for line in deadline.explanation)


def test_an_appeal_notice_sent_in_october_2017_ending_at_christmas_moves_past_new_year() -> None:
    # 2 months after Sun 29 Oct 2017 = Fri 29 Dec 2017; Mon 1 Jan 2018 is the anchor, so Tue 2 Jan 2018.
    assert compute_deadline("appeal", {"notice_sent": date(2017, 10, 29)}).due == date(2018, 1, 2)


def test_the_appeal_rule_starts_with_the_send_regulations_2014() -> None:
    with pytest.raises(RuleNotInForce, match="rule appeal was not in force on 2014-08-31"):
        compute_deadline("appeal", {"notice_sent": date(2014, 8, 31)})
    # Mon 1 Sep 2014 + 2 months = Sat 1 Nov 2014, so Mon 3 Nov 2014 (r.12(2)).
    first = compute_deadline("appeal", {"notice_sent": date(2014, 9, 1)})
    assert (first.due, first.effective_from) == (date(2014, 11, 3), date(2014, 9, 1))


def test_appeal_versions_cite_r12_3_before_and_after_the_2020_amendment() -> None:
    old, new = versions("appeal")
    assert (old.effective_from, old.effective_to) == (date(2014, 9, 1), date(2020, 7, 20))
    assert (new.effective_from, new.effective_to) == (date(2020, 7, 21), None)
    assert rule_for("appeal", date(2020, 7, 20)) == old
    assert rule_for("appeal", date(2020, 7, 21)) == new
    for rule in (old, new):
        assert "r.20(1)(c)" in rule.citation and "r.12(3)(a)" in rule.citation
        assert rule.hesc == "r12_3a"
        assert "Tribunal Procedure (Amendment) Rules 2020" in rule.citation
    assert "before" in old.citation and "as amended by" in new.citation
    # The 2020 amendment removed disability discrimination claims from r.12(3); it did not add SEN appeals.
    assert "or a disability discrimination in schools case" in old.notes
    assert "not encoded" not in new.notes and "substituted" not in new.notes
    # The two versions compute the same way: 2 months after Sun 28 Jun 2020 = Fri 28 Aug, so Tue 1 Sep.
    assert compute_deadline("appeal", {"notice_sent": date(2020, 6, 28)}).due == date(2020, 9, 1)
    assert compute_deadline("appeal", {"notice_sent": date(2020, 7, 21)}).due == date(2020, 9, 21)


# --- reg 44(2)(a) is cease to maintain; the continue-to-maintain paragraph is unconfirmed ---


def test_order_cease_cites_reg_44_2_a() -> None:
    rule = rule_for("order_cease", date(2027, 1, 1))
    assert "reg 44(2)(a)" in rule.citation
    assert rule.status == "S"


def test_order_continue_does_not_cite_the_cease_to_maintain_paragraph() -> None:
    rule = rule_for("order_continue", date(2027, 1, 1))
    assert "44(2)(a)" not in rule.citation
    assert "reg 44 (paragraph unconfirmed)" in rule.citation
    assert rule.status == "U"
    assert "paragraph" in rule.notes and "unconfirmed" in rule.notes
    deadline = compute_deadline("order_continue", {"start": date(2027, 3, 23)})
    assert (deadline.due, deadline.status) == (date(2027, 3, 23), "U")
