"""The queue table's rows written in Python (mediation/web/queue_rows.py) are byte for byte what the row
template wrote before them, hostile text escaped the same way, and make no Markup for a value that needs
no escaping."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import Markup

from mediation.cases.queue import CaseSummary
from mediation.web.queue_rows import queue_rows
from mediation.web.templating import build_environment

# The row template the Python replaced, as it was in templates/partials/case_table.html.
TEMPLATE_ROWS = """\
    {% for case in cases %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="/cases/{{ case.reference }}">{{ case.reference }}</a></td>
      <td class="govuk-table__cell">{{ case.child_name }}</td>
      <td class="govuk-table__cell">{{ decision_labels.get(case.decision, case.decision) }}{% if case.sections %} ({{ case.sections | join(", ") }}){% endif %}</td>
      <td class="govuk-table__cell">{{ case.scope | join(", ") | replace("_", " ") }}</td>
      <td class="govuk-table__cell">{{ case.state | replace("_", " ") }}</td>
      <td class="govuk-table__cell app-nowrap">{{ case.next_due_date | long_date }}<br>{{ risk_tags[case.risk] }}</td>
      {% if show_assignee %}<td class="govuk-table__cell">{{ case.assigned_to or "Unassigned" }}</td>{% endif %}
    </tr>
    {% endfor %}
"""  # noqa: E501 - the template's own lines
LABELS = {"plan_contents": 'The contents of an EHC plan <s.37> & "health"', "refuse_assessment": "Refusal"}
TAGS = {
    "overdue": Markup('<strong class="govuk-tag govuk-tag--red">\n  Overdue\n</strong>\n'),
    "at_risk": Markup('<strong class="govuk-tag govuk-tag--yellow">\n  At risk\n</strong>\n'),
    "on_track": Markup('<strong class="govuk-tag govuk-tag--green">\n  On track\n</strong>\n'),
}


def _case(n: int, **kwargs: object) -> CaseSummary:
    fields: dict[str, object] = {
        "reference": f"SM-{n:08X}",
        "child_name": "Kit Child",
        "decision": "plan_contents",
        "sections": ["B", "F"],
        "scope": ["education", "social_care"],
        "arranged_by": "local_authority",
        "state": "mediation_requested",
        "local_authority": "Milton Keynes",
        "icb": None,
        "next_due_date": dt.date(2027, 1, 4),
        "risk": "on_track",
        "assigned_to": None,
    }
    fields.update(kwargs)
    return CaseSummary(**fields)  # type: ignore[arg-type]


CASES = [
    _case(1),
    _case(2, child_name="<script>alert('x')</script> & \"Jo\"", assigned_to="o'neil@example.com"),
    _case(3, decision="disability_claim", sections=[], scope=[], risk="overdue", next_due_date=None),
    _case(4, decision="refuse_assessment", sections=["<I>"], state="closed", risk="at_risk"),
    _case(5, reference="SM-<&>", scope=["health"], assigned_to=""),
]


@pytest.mark.parametrize("show_assignee", [True, False])
def test_the_rows_are_the_templates_byte_for_byte(show_assignee: bool) -> None:
    env = build_environment(auto_reload=False)
    context = {"cases": CASES, "decision_labels": LABELS, "risk_tags": TAGS, "show_assignee": show_assignee}
    expected = env.from_string(TEMPLATE_ROWS).render(context)
    got = queue_rows(CASES, LABELS, TAGS, show_assignee)
    assert isinstance(got, Markup)
    assert str(got) == expected
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;Jo&#34;" in got
    assert "<script>" not in got and "<I>" not in got


def test_an_empty_page_has_no_rows() -> None:
    assert queue_rows([], LABELS, TAGS, True) == ""


def test_plain_rows_make_no_markup_and_hostile_ones_are_escaped_once_a_value(monkeypatch) -> None:
    # Jinja escaped every expression into a new Markup (about ten a row, 500 for a page); counted, not
    # timed: the page's CPU is measured by `python -m benchmarks.page_probe`.
    from mediation.web import queue_rows as module

    calls: list[str] = []
    real = module.escape

    def counting(value: str) -> Markup:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(module, "escape", counting)
    plain = [_case(n, child_name=f"Child {n}", assigned_to=f"officer{n}@example.com") for n in range(50)]
    queue_rows(plain, {"plan_contents": "The contents of an EHC plan"}, TAGS, True)
    assert calls == []
    queue_rows([CASES[1]], LABELS, TAGS, True)
    assert sorted(calls) == sorted([CASES[1].child_name, LABELS["plan_contents"], "o'neil@example.com"])
