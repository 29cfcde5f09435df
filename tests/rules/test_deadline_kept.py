"""compute_deadline keeps its answers (a pure function of its arguments): the public calculator asks the
same questions all day. The same question gives the same answer object; a refusal is raised every time;
inputs in another order, or a date given as a string, are the same answer."""

from __future__ import annotations

from datetime import date

import pytest

from mediation.rules.deadlines import _kept, compute_deadline
from mediation.rules.errors import RuleInputError


def test_the_same_question_is_answered_once() -> None:
    _kept.cache_clear()
    first = compute_deadline(
        "appeal", {"notice_sent": date(2026, 12, 1), "certificate_issued": date(2027, 1, 4)}
    )
    again = compute_deadline(
        "appeal", {"certificate_issued": date(2027, 1, 4), "notice_sent": date(2026, 12, 1)}
    )
    assert again is first
    assert _kept.cache_info().hits == 1 and _kept.cache_info().misses == 1
    assert compute_deadline("appeal", {"notice_sent": date(2026, 12, 1)}) is not first  # another question


def test_a_refusal_is_never_kept() -> None:
    for _ in range(2):
        with pytest.raises(RuleInputError):
            compute_deadline("appeal", {"start": date(2026, 12, 1)})


def test_an_input_that_cannot_be_a_key_still_gets_the_checks_refusal() -> None:
    with pytest.raises(RuleInputError):
        compute_deadline("appeal", {"notice_sent": ["2026-12-01"]})  # type: ignore[dict-item]


def test_a_kept_answer_is_the_answer_computed_afresh() -> None:
    inputs = {"notice_sent": "2026-12-01"}
    kept = compute_deadline("appeal", inputs)
    _kept.cache_clear()
    assert compute_deadline("appeal", inputs) == kept
