"""The appeal as a list of dated steps, each with what it means in plain English."""

from __future__ import annotations

import datetime as dt

from mediation.rules.catalogue import versions
from mediation.tribunal import law
from mediation.tribunal.schemas import AppealView, MatterView, ObligationView, TrackerStep
from mediation.tribunal.words import listed, long_day

NOT_COUNTED = "not counting 25 December to 1 January or any day in August"


def period(rule: str) -> str:
    spec = versions(rule)[-1]
    if spec.unit == "immediately":
        return "immediately"
    unit = spec.unit.replace("_", " ")
    return f"within {spec.duration} {unit[:-1] if spec.duration == 1 else unit}"


def _dated(on: dt.date | None, today: dt.date, done: bool = False) -> str:
    if on is None:
        return "unknown"
    if done:
        return "done"
    return "overdue" if on < today else "upcoming"


def _deadline_step(
    decision: str, deadline: dt.date | None, appeal: AppealView | None, today: dt.date
) -> TrackerStep:
    if decision == "disability_discrimination":
        meaning = (
            "A disability discrimination claim must reach the tribunal within 6 months of the conduct "
            "complained of (Equality Act 2010 Schedule 17)."
        )
    else:
        meaning = (
            "The appeal must reach the tribunal by this date. It is 2 months after the decision letter "
            "was sent, or 1 month after the mediation certificate if that is later. If the last day is in "
            "August, or from 25 December to 1 January, it moves to the next working day after."
        )
    status = "done" if appeal is not None and not appeal.late else _dated(deadline, today)
    if appeal is not None and appeal.late:
        status = "flagged"
    return TrackerStep("Last day to appeal", deadline, status, meaning)


def _response_step(appeal: AppealView, today: dt.date) -> TrackerStep:
    title = "The local authority's response"
    if appeal.unopposed_on is not None:
        return TrackerStep(
            title,
            appeal.unopposed_on,
            "done",
            f"Not needed: on {long_day(appeal.unopposed_on)} the local authority told the tribunal it will "
            "not oppose the appeal, so the appeal is treated as decided in the family's favour.",
        )
    if appeal.response_due is None or appeal.la_received_on is None:
        return TrackerStep(
            title,
            None,
            "unknown",
            "The council usually has 30 working days to answer, from the day it gets the appeal from the "
            f"tribunal ({NOT_COUNTED}). The tribunal can set another date.",
        )
    computed = (
        "30 working days after the local authority received the appeal on "
        f"{long_day(appeal.la_received_on)}, {NOT_COUNTED}"
    )
    if appeal.response_basis == "directed" and appeal.response_computed is not None:
        meaning = (
            f"The tribunal directed this date, so it applies. Without a direction it would have been "
            f"{long_day(appeal.response_computed)} ({computed})."
        )
    else:
        meaning = f"This is {computed}. If the tribunal directs another date, that date applies instead."
    meaning += (
        " The response says whether the local authority opposes the appeal and why; the family gets a copy."
    )
    if appeal.response_sent_on is not None:
        meaning = f"Sent on {long_day(appeal.response_sent_on)}. " + meaning
    return TrackerStep(
        title,
        appeal.response_due,
        _dated(appeal.response_due, today, appeal.response_sent_on is not None),
        meaning,
    )


def _timetable_steps(appeal: AppealView, today: dt.date) -> list[TrackerStep]:
    steps = [
        TrackerStep(
            "Appeal sent to the tribunal",
            appeal.lodged_on,
            "flagged" if appeal.flags else "done",
            " ".join(["The appeal was sent to the First-tier Tribunal (SEND).", *appeal.flags]),
        ),
        TrackerStep(
            "Appeal registered",
            appeal.registered_on,
            "done" if appeal.registered_on else "unknown",
            (
                f"The tribunal registered the appeal (reference {appeal.tribunal_reference}). "
                if appeal.tribunal_reference
                else "The tribunal registered the appeal. "
            )
            + "Its letter sets the timetable: the response, evidence and hearing dates."
            if appeal.registered_on
            else "The tribunal usually says within 10 working days that it has the appeal. "
            "Its letter sets the dates.",
        ),
        _response_step(appeal, today),
        TrackerStep(
            "Evidence deadline",
            appeal.evidence_due,
            _dated(appeal.evidence_due, today),
            "The last day to send the tribunal more evidence.",
        ),
        TrackerStep(
            "Hearing bundle",
            appeal.bundle_due,
            _dated(appeal.bundle_due, today),
            "By this date the council sends the tribunal and the family all the papers for the hearing.",
        ),
        TrackerStep(
            "Hearing",
            appeal.hearing_on,
            _dated(
                appeal.hearing_on,
                today,
                appeal.hearing_on is not None
                and (
                    appeal.hearing_on < today
                    or appeal.decision_on is not None
                    or appeal.unopposed_on is not None
                ),
            ),
            "The tribunal hears the appeal. An appeal about a refusal to assess is often decided on the "
            "papers, with no hearing.",
        ),
    ]
    if appeal.decision_on is not None:
        steps.append(TrackerStep("Decision", appeal.decision_on, "done", "The tribunal decided the appeal."))
    elif appeal.decision_expected is not None:
        steps.append(
            TrackerStep(
                "Decision (estimate)",
                appeal.decision_expected,
                "estimate",
                "The tribunal usually sends its decision within 10 working days of the hearing. This is an "
                "estimate, not a deadline.",
            )
        )
    return steps


def _duty_step(duty: ObligationView, today: dt.date) -> TrackerStep:
    when = period(duty.rule)
    if duty.kind == "order":
        meaning = f"The tribunal ordered this on {long_day(duty.made_on)}. " + (
            "It must be done immediately."
            if when == "immediately"
            else f"The law allows {when.removeprefix('within ')} from the day the order is made, so the "
            f"deadline is {long_day(duty.due)}."
        )
        if duty.sent_on is not None and duty.practical_due is not None:
            meaning += (
                f" The tribunal sent the order on {long_day(duty.sent_on)}; counting from that day, as "
                f"GOV.UK guidance does, it is {long_day(duty.practical_due)}."
            )
    elif duty.kind == "unopposed":
        meaning = (
            f"The local authority told the tribunal on {long_day(duty.made_on)} that it will not oppose the "
            f"appeal, so it must do this {when} of that day: by {long_day(duty.due)}."
        )
    else:
        word = "sections" if len(duty.sections) > 1 else "section"
        details = duty.details.rstrip()
        details += "" if details.endswith((".", "!", "?")) else "."
        meaning = (
            f"The tribunal recommended to {duty.owed_by_name} ({word} {listed(duty.sections)}): "
            f"{details} The recommendation is not binding, but a response "
            f"saying what will be done, or why it will not be followed, is due {when} of receiving it: by "
            f"{long_day(duty.due)}."
        )
        if duty.sent_on is None:
            meaning += (
                " Until the date it was received is recorded, the weeks are counted from the day it was made."
            )
    status = {"met": "done", "cancelled": "done", "breached": "overdue"}.get(duty.status, "upcoming")
    if duty.status == "met" and duty.done_on is not None:
        meaning = f"Done on {long_day(duty.done_on)}: {duty.action_label.lower()}. " + meaning
    elif duty.status == "cancelled":
        meaning = f"No longer applies ({duty.note or duty.action_label.lower()}). " + meaning
    elif duty.status == "breached":
        meaning = "This deadline has been missed. " + meaning + " " + law.ENFORCEMENT
    return TrackerStep(duty.duty, duty.due, status, meaning)


def build_steps(
    decision: str,
    deadline: dt.date | None,
    appeal: AppealView | None,
    matters: list[MatterView],
    duties: list[ObligationView],
    today: dt.date,
) -> list[TrackerStep]:
    steps = [_deadline_step(decision, deadline, appeal, today)]
    if appeal is None:
        return steps
    steps += _timetable_steps(appeal, today)
    decided = [m for m in matters if m.outcome]
    for matter in decided:
        steps.append(
            TrackerStep(
                f"Outcome: {matter.label}",
                matter.outcome_on,
                "done",
                f"{matter.outcome_label}. {matter.meaning}",
            )
        )
    if appeal.recommendations_requested and not any(d.kind == "recommendation" for d in duties):
        steps.append(
            TrackerStep(
                "Health and social care recommendations",
                None,
                "unknown",
                "The appeal asks the tribunal for recommendations on sections "
                f"{listed(appeal.recommendations_requested)}. Any recommendation is shown here once the "
                "tribunal makes it.",
            )
        )
    steps += [_duty_step(d, today) for d in duties]
    return steps
