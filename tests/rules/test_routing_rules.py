"""Routing a disagreement (statute.md section 2): every table row, exhaustive invariants, bad input."""

from itertools import combinations

import pytest

from mediation.rules import DECISION_LABELS, DECISIONS, SECTION_LABELS, SECTIONS, RoutingInputError, route

LA, ICB = "local_authority", "health_commissioner"


@pytest.mark.parametrize(
    ("decision", "sections", "scope", "arranged_by", "parties", "certificate", "appeal"),
    [
        # any appealable decision or B/F/I, with or without social care
        ("refuse_assessment", [], ("education",), LA, (LA,), True, True),
        ("refuse_plan", [], ("education",), LA, (LA,), True, True),
        ("refuse_reassessment", [], ("education",), LA, (LA,), True, True),
        ("refuse_amendment", [], ("education",), LA, (LA,), True, True),
        ("cease_to_maintain", [], ("education",), LA, (LA,), True, True),
        ("plan_contents", ["B", "F"], ("education",), LA, (LA,), True, True),
        ("plan_contents", ["F", "H2"], ("education", "social_care"), LA, (LA,), True, True),
        ("plan_contents", ["B", "I"], ("education",), LA, (LA,), True, True),
        # section I only: no certificate (CFA s.55)
        ("plan_contents", ["I"], ("education",), LA, (LA,), False, True),
        ("plan_contents", ["I", "D"], ("education", "social_care"), LA, (LA,), False, True),
        ("plan_contents", ["I", "G"], ("education", "health"), LA, (LA, ICB), False, True),
        # education and/or social care plus health
        ("plan_contents", ["F", "G"], ("education", "health"), LA, (LA, ICB), True, True),
        (
            "plan_contents",
            ["B", "C", "H1"],
            ("education", "health", "social_care"),
            LA,
            (LA, ICB),
            True,
            True,
        ),
        ("refuse_plan", ["G"], ("education", "health"), LA, (LA, ICB), True, True),
        ("plan_contents", ["D", "G"], ("health", "social_care"), LA, (LA, ICB), False, False),
        # health only
        ("plan_contents", ["C"], ("health",), ICB, (ICB,), False, False),
        ("plan_contents", ["C", "G"], ("health",), ICB, (ICB,), False, False),
        # social care only
        ("plan_contents", ["D", "H1", "H2"], ("social_care",), LA, (LA,), False, False),
        # disability discrimination
        ("disability_discrimination", [], ("education",), None, (), False, True),
        # sections A and K alone count as education; E and J are education but not appealable
        ("plan_contents", ["A"], ("education",), LA, (LA,), False, False),
        ("plan_contents", ["K"], ("education",), LA, (LA,), False, False),
        ("plan_contents", ["E", "J"], ("education",), LA, (LA,), False, False),
    ],
)
def test_statute_routing_rows(
    decision: str,
    sections: list[str],
    scope: tuple[str, ...],
    arranged_by: str | None,
    parties: tuple[str, ...],
    certificate: bool,
    appeal: bool,
) -> None:
    routed = route(decision, sections)
    assert routed.scope == scope
    assert routed.arranged_by == arranged_by
    assert routed.parties == parties
    assert routed.certificate_required is certificate
    assert routed.appeal_available is appeal


def test_health_only_disagreement_is_routed_to_the_icb_and_cites_s53() -> None:
    routed = route("plan_contents", ["G"])
    assert routed.arranged_by == ICB
    assert any("CFA s.53" in line for line in routed.explanation)


def test_section_i_only_explains_that_no_certificate_is_needed() -> None:
    assert any(
        "CFA s.55" in line and "no mediation certificate" in line
        for line in route("plan_contents", ["I"]).explanation
    )


def test_discrimination_explanation_cites_the_equality_act() -> None:
    assert any(
        "Equality Act 2010 Sch 17" in line for line in route("disability_discrimination", []).explanation
    )


def _subsets(max_size: int) -> list[tuple[str, ...]]:
    return [combo for size in range(max_size + 1) for combo in combinations(SECTIONS, size)]


@pytest.mark.parametrize("decision", DECISIONS)
def test_invariants_hold_for_every_decision_and_section_subset_up_to_three(decision: str) -> None:
    for sections in _subsets(3):
        if decision == "plan_contents" and not sections:
            continue
        routed = route(decision, sections)
        chosen = set(sections)
        assert routed.scope == tuple(sorted(routed.scope)) and routed.scope
        assert set(routed.scope) <= {"education", "health", "social_care"}
        assert ("health" in routed.scope) == bool(chosen & {"C", "G"})
        assert ("social_care" in routed.scope) == bool(chosen & {"D", "H1", "H2"})
        if decision != "plan_contents":
            assert "education" in routed.scope
        if decision == "disability_discrimination":
            assert routed.arranged_by is None and routed.parties == ()
            assert not routed.certificate_required and routed.appeal_available
            continue
        assert (ICB in routed.parties) == ("health" in routed.scope)
        assert routed.parties[0] == routed.arranged_by
        assert (routed.arranged_by == ICB) == (routed.scope == ("health",))
        appealable = decision != "plan_contents" or bool(chosen & {"B", "F", "I"})
        assert routed.appeal_available is appealable
        assert routed.certificate_required is (
            appealable and not (decision == "plan_contents" and chosen & {"B", "F", "I"} == {"I"})
        )
        assert routed.explanation and all(isinstance(line, str) and line for line in routed.explanation)
        assert route(decision, [*reversed(sections), *sections]) == routed  # order and repeats do not matter


def test_labels_cover_every_decision_and_section() -> None:
    assert set(DECISION_LABELS) == set(DECISIONS) and len(DECISIONS) == 7
    assert SECTIONS == ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")
    assert set(SECTION_LABELS) == set(SECTIONS)


@pytest.mark.parametrize(
    ("decision", "sections", "message"),
    [
        ("refuse_everything", [], "unknown decision 'refuse_everything'"),
        ("plan_contents", ["F", "Z"], "unknown section 'Z'"),
        ("plan_contents", ["h1"], "unknown section 'h1'"),
        ("plan_contents", [], "at least one EHC plan section"),
    ],
)
def test_bad_routing_input_is_refused_with_a_reason(decision: str, sections: list[str], message: str) -> None:
    with pytest.raises(RoutingInputError) as caught:
        route(decision, sections)
    assert message in caught.value.detail
    assert isinstance(caught.value, ValueError)


def test_a_bare_string_of_sections_is_refused() -> None:
    with pytest.raises(RoutingInputError, match="list of section names"):
        route("plan_contents", "BF")
