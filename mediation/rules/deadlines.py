"""The one deadline computation: a catalogue rule and its input dates give a due date and its explanation.

Every time limit runs on the national calendar only: weekends and bank holidays in England and Wales.
No statute lets a duty-holder's own closure days extend its deadline (and the certificate duties belong
to the independent mediation adviser, not the local authority), so `compute_deadline` takes no calendar.
An organisation's closures still block mediation slots; that is the slot finder's business, not this one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from mediation.rules.calendar import (
    DEFAULT_CALENDAR,
    Reckoning,
    add_days,
    add_months,
    add_weeks,
    format_date,
)
from mediation.rules.catalogue import ORDER_RULE_IDS, Limb, Rule, Status, rule_for, versions
from mediation.rules.errors import RuleInputError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STRENGTH: dict[Status, int] = {"P": 2, "S": 1, "U": 0}
# The only calendar a time limit is counted on (statute.md section 1, "working day").
CAL = DEFAULT_CALENDAR


@dataclass(frozen=True)
class Candidate:
    """One limb of a 'later of' rule: its date before (`base`) and after (`due`) HESC r.12."""

    input: str
    label: str
    base: date
    due: date


@dataclass(frozen=True)
class Deadline:
    rule: str
    due: date
    unit: str
    citation: str
    status: Status
    explanation: tuple[str, ...]
    effective_from: date
    candidates: tuple[Candidate, ...] = ()


def compute_deadline(
    rule_id: str,
    inputs: Mapping[str, date | str],
    *,
    decision_date: date | None = None,
) -> Deadline:
    """Compute a rule's due date, on the national working-day calendar (never an organisation's closures).

    `inputs` holds dates (or ISO `YYYY-MM-DD` strings): `start` for single-start rules, `notice_sent` and
    optional `certificate_issued` for `appeal`, `mediation_date` for `mediation_notice`;
    `agreement_appealable` also takes `order`, the id of the matching order_* rule. The rule version used
    is the one in force on `decision_date`, which defaults to the rule's first input date.

    A pure function of its arguments (the catalogue and the national calendar are fixed in code), so the
    answers are kept: the same question again costs a dictionary look-up. Refusals are never kept.
    """
    try:
        key = (rule_id, tuple(sorted(inputs.items())), decision_date)
        hash(key)
    except TypeError:  # an input that is not a date or a string: let the checks below say so
        return _compute(rule_id, inputs, decision_date)
    return _kept(*key)


@functools.lru_cache(maxsize=8192)
def _kept(rule_id: str, inputs: tuple[tuple[str, date | str], ...], decision_date: date | None) -> Deadline:
    return _compute(rule_id, dict(inputs), decision_date)


def _compute(rule_id: str, inputs: Mapping[str, date | str], decision_date: date | None) -> Deadline:
    spec = versions(rule_id)[-1]  # raises UnknownRule; every version of a rule takes the same inputs
    if not spec.computable:
        raise RuleInputError(
            f"rule {rule_id} is a timescale the parties agree in writing ({spec.citation}); it is recorded, "
            "not computed"
        )
    dates, order_id = _validate(spec, inputs)
    rule = rule_for(rule_id, decision_date or dates[spec.inputs[0]])
    if rule.unit == "later_of":
        return _later_of(rule, dates)
    if rule.unit == "same_as_order":
        assert order_id is not None  # _validate requires it for this unit
        order = rule_for(order_id, decision_date or dates["start"])
        return _as_order(rule, order, dates["start"])
    start = dates[rule.inputs[0]]
    header, reckoning = _single(rule, start)
    return _deadline(rule, rule.unit, rule.citation, rule.status, header, reckoning)


def _validate(rule: Rule, inputs: Mapping[str, date | str]) -> tuple[dict[str, date], str | None]:
    allowed = (*rule.inputs, *rule.optional_inputs)
    unexpected = sorted(set(inputs) - set(allowed))
    if unexpected:
        raise RuleInputError(
            f"inputs.{unexpected[0]} is not used by rule {rule.id} (it takes {', '.join(allowed)})"
        )
    for name in rule.inputs:
        if inputs.get(name) is None:
            raise RuleInputError(f"inputs.{name} is required for rule {rule.id}")
    dates: dict[str, date] = {}
    order_id: str | None = None
    for name in allowed:
        value = inputs.get(name)
        if value is None:
            continue
        if name == "order":
            order_id = _order_id(rule, value)
        else:
            dates[name] = _as_date(name, value)
    if "certificate_issued" in dates and dates["certificate_issued"] < dates["notice_sent"]:
        raise RuleInputError(
            f"inputs.certificate_issued ({dates['certificate_issued'].isoformat()}) is before "
            f"inputs.notice_sent ({dates['notice_sent'].isoformat()}): a mediation certificate follows the "
            "decision notice"
        )
    return dates, order_id


def _as_date(name: str, value: object) -> date:
    if isinstance(value, datetime):
        raise RuleInputError(f"inputs.{name} must be a date, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RuleInputError(f"inputs.{name} is not a valid date (expected YYYY-MM-DD): {value!r}")


def _order_id(rule: Rule, value: object) -> str:
    if not isinstance(value, str) or value not in ORDER_RULE_IDS:
        raise RuleInputError(
            f"inputs.order for rule {rule.id} must name the matching order rule, one of "
            f"{', '.join(ORDER_RULE_IDS)}; got {value!r}"
        )
    return value


def _plural(n: int, unit: str) -> str:
    word = unit.replace("_", " ")
    return f"{n} {word[:-1] if n == 1 else word}"


def _single(rule: Rule, start: date) -> tuple[str, Reckoning]:
    """The header line and the date for a rule with one start date."""
    n, when = rule.duration, format_date(start)
    if rule.unit == "immediately":
        return f"immediately on {when}", Reckoning(start)
    if rule.unit == "working_days_before":
        return f"at least {_plural(n, 'working_days')} before {when}", CAL.working_days_before(start, n)
    if rule.unit == "working_days":
        if rule.hesc == "r12_3b":
            header = (
                f"{_plural(n, 'working_days')} after {when}, not counting 25 Dec-1 Jan or any day in August"
            )
            counted = CAL.add_working_days_hesc(start, n)
            rolled = CAL.hesc_r12_2(
                counted.date
            )  # cannot move a day counted as a working day; kept for safety
            return header, Reckoning(rolled.date, counted.steps + rolled.steps)
        return f"{_plural(n, 'working_days')} after {when}", CAL.add_working_days(start, n)
    if rule.unit == "days":
        if rule.counts_start_day:
            # 'beginning with' the start date: it is day 1, so the period's last day is start + (n - 1).
            return f"{_plural(n, 'days')} beginning with {when}", add_days(start, n - 1)
        return f"{_plural(n, 'days')} after {when}", add_days(start, n)
    if rule.unit == "weeks":
        return f"{_plural(n, 'weeks')} after {when}", add_weeks(start, n)
    if rule.unit == "months":
        months = add_months(start, n)
        if rule.counts_start_day and months.date.day == start.day:
            # 'starting with' the start date: the period ends the day before the corresponding date, or on
            # the month's last day where there is no corresponding date (already so in `months`).
            end = add_days(months.date, -1).date
            step = f"a period starting with {when} ends the day before {format_date(months.date)}"
            return f"{_plural(n, 'months')} starting with {when}", Reckoning(end, (*months.steps, step))
        if rule.counts_start_day:
            return f"{_plural(n, 'months')} starting with {when}", months
        return f"{_plural(n, 'months')} after {when}", months
    raise AssertionError(f"rule {rule.id} has unit {rule.unit}, which has no single-date computation")


def _deadline(
    rule: Rule,
    unit: str,
    citation: str,
    status: Status,
    header: str,
    reckoning: Reckoning,
    candidates: tuple[Candidate, ...] = (),
) -> Deadline:
    lines = [f"{header} ({citation})", *reckoning.steps, f"due {format_date(reckoning.date)}"]
    reason = CAL.non_working_reason(reckoning.date)
    if reason is not None and not rule.hesc_adjustments:
        lines.append(
            f"{format_date(reckoning.date)} is not a working day ({reason}); this time limit does not move"
        )
    if rule.unit == "working_days_before":
        lines.append(
            "this is the latest date the notice may be sent, unless the family consents to less notice"
        )
    return Deadline(
        rule=rule.id,
        due=reckoning.date,
        unit=unit,
        citation=citation,
        status=status,
        explanation=tuple(lines),
        effective_from=rule.effective_from,
        candidates=candidates,
    )


def _as_order(rule: Rule, order: Rule, start: date) -> Deadline:
    """Reg 42(2): the reg 44 limit applies as if the mediation agreement were a tribunal order."""
    header, reckoning = _single(order, start)
    header = f"as if the mediation agreement were a tribunal order ({order.id}): {header}"
    status = min(rule.status, order.status, key=_STRENGTH.__getitem__)
    return _deadline(rule, order.unit, f"{rule.citation}; {order.citation}", status, header, reckoning)


def _limb(limb: Limb, start: date) -> tuple[Candidate, list[str]]:
    base = add_months(start, limb.duration)
    adjusted = CAL.hesc_r12_3a(base.date)
    lines = [
        f"{_plural(limb.duration, 'months')} after {format_date(start)}, when {limb.label} "
        f"({limb.citation}): {format_date(base.date)}",
        *base.steps,
        *adjusted.steps,
    ]
    return Candidate(limb.input, limb.label, base.date, adjusted.date), lines


def _later_of(rule: Rule, dates: Mapping[str, date]) -> Deadline:
    """HESC r.20(1)(c): the later of 2 months after the notice and 1 month after the certificate.

    r.12(3)(a) and r.12(2) are applied to each candidate before taking the later one, so each candidate
    shown is the real last day under its own limb. Both adjustments only ever move a date later and keep
    the order of dates, so this gives the same answer as adjusting the later raw date (tested).
    """
    candidates: list[Candidate] = []
    lines: list[str] = []
    for limb in rule.limbs:
        if limb.input in dates:
            candidate, limb_lines = _limb(limb, dates[limb.input])
            candidates.append(candidate)
            lines.extend(limb_lines)
    chosen = max(candidates, key=lambda c: c.due)
    if len(candidates) == 1:
        header = f"{_plural(rule.limbs[0].duration, 'months')} after the decision notice was sent"
    else:
        header = "the later of " + " and ".join(
            f"{_plural(limb.duration, 'months')} after {limb.label}" for limb in rule.limbs
        )
        lines.append(f"the later date is {format_date(chosen.due)} ({chosen.label})")
    return _deadline(
        rule, rule.unit, rule.citation, rule.status, header, Reckoning(chosen.due, tuple(lines)),
        tuple(candidates),
    )  # fmt: skip
