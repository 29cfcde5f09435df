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
from mediation.rules.catalogue import RULES, Rule

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
        ("order_amend_plan", date(2015, 4, 1)),
        ("unopposed_amend_plan", date(2015, 4, 1)),
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
    assert "appeal" not in in_force_early_2015
