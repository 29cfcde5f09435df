"""The queue table's rows, written in Python: the same HTML the row template wrote, byte for byte.

A page of the queue is 50 rows of seven cells, and Jinja's output for them was most of `/home`'s render:
each expression escaped and wrapped in `Markup`, each attribute read through the environment, two filters
a cell (issue 17: "a lighter macro for rows"). Here a value is escaped only if it holds a character to escape,
and each row is one format.
`tests/edge/test_queue_rows.py` checks the output against the template's, escaping included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from mediation.web.templating import long_date

_ROW = (
    '    <tr class="govuk-table__row">\n'
    '      <td class="govuk-table__cell"><a class="govuk-link" href="/cases/{ref}">{ref}</a></td>\n'
    '      <td class="govuk-table__cell">{child}</td>\n'
    '      <td class="govuk-table__cell">{decision}</td>\n'
    '      <td class="govuk-table__cell">{scope}</td>\n'
    '      <td class="govuk-table__cell">{state}</td>\n'
    '      <td class="govuk-table__cell app-nowrap">{due}<br>{tag}</td>\n'
)
_ASSIGNEE = '<td class="govuk-table__cell">{}</td>'


def _escaped(value: str) -> str:
    """markupsafe's escape, without making a Markup for the many values that need none."""
    if "&" in value or "<" in value or ">" in value or "'" in value or '"' in value:
        return str(escape(value))
    return value


def queue_rows(
    cases: Sequence[Any],
    decision_labels: Mapping[str, str],
    risk_tags: Mapping[str, Markup],
    show_assignee: bool,
) -> Markup:
    """The `<tr>` of each case summary (`cases/queue.py: CaseSummary`), in order."""
    out = []
    for case in cases:
        decision = _escaped(decision_labels.get(case.decision, case.decision))
        if case.sections:
            decision += " (" + _escaped(", ".join(case.sections)) + ")"
        ref = _escaped(case.reference)
        row = _ROW.format(
            ref=ref,
            child=_escaped(case.child_name),
            decision=decision,
            scope=_escaped(", ".join(case.scope).replace("_", " ")),
            state=_escaped(case.state.replace("_", " ")),
            due=long_date(case.next_due_date),  # digits and month names
            tag=risk_tags[case.risk],
        )
        if show_assignee:
            row += _ASSIGNEE.format(_escaped(case.assigned_to or "Unassigned"))
        out.append(row + "    </tr>\n")
    return Markup("".join(out))  # noqa: S704 - every value in it escaped above; the tags are Markup
