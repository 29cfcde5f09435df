"""The case lifecycle transition table: every legal move works; every other move is refused with a reason."""

import pytest

from mediation.rules import CaseFacts, IllegalTransition, allowed_events, route, transition
from mediation.rules.lifecycle import EVENTS, INITIAL_STATE, STATES, TERMINAL_STATES, TRANSITIONS

EDUCATION = CaseFacts.from_routing(route("plan_contents", ["B", "F"]))
SECTION_I = CaseFacts.from_routing(route("plan_contents", ["I"]))
HEALTH_ONLY = CaseFacts.from_routing(route("plan_contents", ["G"]))
DISCRIMINATION = CaseFacts.from_routing(route("disability_discrimination", []))
ALL_FACTS = (EDUCATION, SECTION_I, HEALTH_ONLY, DISCRIMINATION)

LEGAL = [(t.event, source, t.target) for t in TRANSITIONS for source in sorted(t.sources)]


@pytest.mark.parametrize(("event", "source", "target"), LEGAL)
def test_every_legal_transition_succeeds(event: str, source: str, target: str) -> None:
    assert transition(source, event, EDUCATION) == target


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", EVENTS)
def test_moves_not_in_the_table_are_refused_with_the_current_state(state: str, event: str) -> None:
    sources = next(t.sources for t in TRANSITIONS if t.event == event)
    if state in sources:
        return
    with pytest.raises(IllegalTransition) as caught:
        transition(state, event, EDUCATION)
    assert caught.value.reason.startswith("cannot ")
    assert state in caught.value.reason


def test_holding_mediation_before_a_session_is_arranged_says_why() -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition("lodged", "hold_mediation", EDUCATION)
    assert caught.value.reason == (
        "cannot hold mediation: the case is in state 'lodged'; a session must be arranged first"
    )


def test_discrimination_claims_cannot_go_to_mediation_but_can_be_appealed() -> None:
    with pytest.raises(IllegalTransition, match="mediation does not apply to a disability discrimination"):
        transition("lodged", "request_mediation", DISCRIMINATION)
    assert transition("lodged", "appeal", DISCRIMINATION) == "appealed"


def test_health_only_disagreements_can_be_mediated_but_not_appealed() -> None:
    assert transition("lodged", "request_mediation", HEALTH_ONLY) == "mediation_requested"
    with pytest.raises(IllegalTransition, match="no appeal to the tribunal lies"):
        transition("no_agreement", "appeal", HEALTH_ONLY)


def test_section_i_only_needs_no_certificate_and_appeals_straight_after_mediation() -> None:
    with pytest.raises(IllegalTransition, match="no mediation certificate is needed"):
        transition("no_agreement", "issue_certificate", SECTION_I)
    assert transition("no_agreement", "appeal", SECTION_I) == "appealed"


def test_an_appeal_without_a_required_certificate_is_not_refused_here() -> None:
    # Issue 7: a late appeal, or one without a required certificate, is flagged elsewhere, not refused.
    assert transition("lodged", "appeal", EDUCATION) == "appealed"


@pytest.mark.parametrize("state", sorted(set(STATES) - TERMINAL_STATES - {"withdrawn"}))
def test_a_case_can_be_withdrawn_from_any_open_state(state: str) -> None:
    assert transition(state, "withdraw", EDUCATION) == "withdrawn"


def test_closed_is_terminal() -> None:
    for facts in ALL_FACTS:
        assert allowed_events("closed", facts) == ()
    with pytest.raises(IllegalTransition, match="the case is closed"):
        transition("closed", "withdraw", EDUCATION)


@pytest.mark.parametrize("state", STATES)
def test_allowed_events_are_exactly_the_events_that_succeed(state: str) -> None:
    for facts in ALL_FACTS:
        allowed = set(allowed_events(state, facts))
        for event in EVENTS:
            try:
                transition(state, event, facts)
            except IllegalTransition:
                assert event not in allowed
            else:
                assert event in allowed


def test_every_state_is_reachable_from_lodged() -> None:
    seen, frontier = {INITIAL_STATE}, [INITIAL_STATE]
    while frontier:
        state = frontier.pop()
        for event in allowed_events(state, EDUCATION):
            target = transition(state, event, EDUCATION)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(STATES)


def test_a_whole_case_from_lodging_to_closing() -> None:
    state = INITIAL_STATE
    for event in ("give_mediation_advice", "request_mediation", "arrange_session", "hold_mediation",
                  "record_no_agreement", "issue_certificate", "appeal", "record_decision",
                  "record_compliance", "close"):  # fmt: skip
        state = transition(state, event, EDUCATION)
    assert state == "closed"


def test_unknown_states_and_events_are_refused() -> None:
    with pytest.raises(IllegalTransition, match="unknown state 'limbo'"):
        transition("limbo", "appeal", EDUCATION)
    with pytest.raises(IllegalTransition, match="unknown event 'teleport'"):
        transition("lodged", "teleport", EDUCATION)
