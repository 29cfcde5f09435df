"""The tribunal's timetable for an appeal (`timetable_updated`), and the LA's receipt of the appeal
(`la_received_appeal`), which starts its response clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation import timekeeping
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import RulesError
from mediation.tribunal.checks import Checker, TribunalInputError
from mediation.tribunal.commands import appeal_row
from mediation.tribunal.schemas import TimetableInput
from mediation.tribunal.tables import TribunalAppeal
from mediation.tribunal.words import listed, long_day

RESPONSE = "tribunal_la_response"

TIMETABLE_LABELS = {
    "tribunal_reference": "tribunal reference",
    "registered_on": "date registered",
    "la_received_on": "date the local authority received the appeal",
    "response_directed": "response date directed by the tribunal",
    "response_sent_on": "date the local authority sent its response",
    "evidence_due": "evidence deadline",
    "bundle_due": "bundle deadline",
    "hearing_on": "hearing date",
}


def _check_timetable(appeal: dict[str, Any], data: TimetableInput, today: dt.date) -> None:
    check = Checker(today)
    check.reference(data.tribunal_reference)
    for name in ("registered_on", "la_received_on", "response_sent_on"):
        check.past(name, getattr(data, name), TIMETABLE_LABELS[name])
    lodged = appeal["lodged_on"]
    check.after("registered_on", data.registered_on, "the date registered", lodged, "the appeal was sent")
    received_floor = data.registered_on or lodged
    check.after("la_received_on", data.la_received_on, "the date received", received_floor, "registration")
    check.after(
        "response_directed", data.response_directed, "the directed date", data.la_received_on, "receipt"
    )
    check.after("response_sent_on", data.response_sent_on, "the date sent", lodged, "the appeal was sent")
    check.after("hearing_on", data.hearing_on, "the hearing date", lodged, "the appeal was sent")
    decided = appeal["decision_on"] or appeal["unopposed_on"]
    if data.hearing_on is not None and decided is not None and data.hearing_on > decided:
        check.add(
            "hearing_on-day",
            f"The hearing date must be on or before the tribunal's decision ({long_day(decided)})",
        )
    if data.response_directed is not None and data.la_received_on is None:
        check.add("la_received_on-day", "Enter the date the local authority received the appeal")
    if data.response_sent_on is not None and data.la_received_on is None:
        check.add("la_received_on-day", "Enter the date the local authority received the appeal")
    if data.hearing_on is not None:
        for name in ("evidence_due", "bundle_due"):
            value = getattr(data, name)
            if value is not None and value > data.hearing_on:
                check.add(f"{name}-day", f"The {TIMETABLE_LABELS[name]} must be before the hearing date")
    check.raise_if_any()


async def save_timetable(case: Disagreement, data: TimetableInput, *, actor: CurrentUser) -> Disagreement:
    """Replace the timetable. A first date of receipt is the `la_received_appeal` event; the rest (and a
    changed receipt date, a directed date, the response sent) is `timetable_updated`."""
    events.require(case, "timetable_updated", actor=actor)
    appeal = await appeal_row(case.id)
    today = timekeeping.today()
    _check_timetable(appeal, data, today)
    computed = None
    if data.la_received_on is not None:
        try:
            computed = compute_deadline(RESPONSE, {"start": data.la_received_on}).due
        except RulesError as exc:
            raise TribunalInputError(
                {"la_received_on-day": f"The response date cannot be worked out: {exc.detail}"}
            ) from exc
    after = {**{name: getattr(data, name) for name in TIMETABLE_LABELS}, "response_computed": computed}
    after["tribunal_reference"] = data.tribunal_reference.strip()
    before = {name: appeal[name] for name in after}
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return case
    first_receipt = appeal["la_received_on"] is None and data.la_received_on is not None
    if first_receipt:
        events.check(
            case,
            "la_received_appeal",
            actor=actor,
            on=data.la_received_on,
            on_field="la_received_on-day",
            label="the date the local authority received the appeal",
        )
    events.check(case, "timetable_updated", actor=actor, on=today)

    async def store(change: Change) -> None:
        await TribunalAppeal.update(
            {
                **{getattr(TribunalAppeal, k): v for k, v in after.items()},
                TribunalAppeal.updated_at: timekeeping.now(),
            }
        ).where(TribunalAppeal.id == appeal["id"])

    words = [TIMETABLE_LABELS[n] for n in changed if n in TIMETABLE_LABELS]
    # The response clock follows the whole timetable, not just the field that changed: a receipt date
    # moved keeps the directed date, and a directed date taken away puts the computed one back.
    clock_data: dict[str, Any] = {}
    received_moved = "la_received_on" in changed and not first_receipt
    direction_removed = "response_directed" in changed and data.response_directed is None
    if received_moved and data.la_received_on is None:
        clock_data["received_cleared"] = True
    elif (received_moved or direction_removed) and data.la_received_on is not None:
        clock_data["received_on"] = data.la_received_on  # recomputed from receipt
    if data.response_directed is not None and ("response_directed" in changed or received_moved):
        clock_data["response_directed"] = data.response_directed
    if "response_sent_on" in changed and data.response_sent_on is not None:
        clock_data["response_sent_on"] = data.response_sent_on
    async with transaction():
        if first_receipt:
            assert data.la_received_on is not None
            case = await events.record(
                case,
                "la_received_appeal",
                actor=actor,
                on=data.la_received_on,
                summary=f"The local authority received the appeal on {long_day(data.la_received_on)}",
                on_field="la_received_on-day",
                label="the date the local authority received the appeal",
            )
        case = await events.record(
            case,
            "timetable_updated",
            actor=actor,
            on=today,
            summary=f"Tribunal timetable updated: {listed(words)}",
            data={**clock_data, "changed": changed},
            writes=store,
        )
    return case


def _current(appeal: dict[str, Any], **changes: Any) -> TimetableInput:
    values = {name: appeal[name] for name in TIMETABLE_LABELS}
    values["tribunal_reference"] = values["tribunal_reference"] or ""
    return TimetableInput(**{**values, **changes})


async def record_receipt(case: Disagreement, on: dt.date, *, actor: CurrentUser) -> Disagreement:
    """`la_received_appeal` on its own (the API): the timetable as it stands, with the date of receipt."""
    events.require(case, "la_received_appeal", actor=actor)
    appeal = await appeal_row(case.id)
    if appeal["la_received_on"] is not None:
        events.check(case, "la_received_appeal", actor=actor, on=on)  # the lifecycle's own refusal
    return await save_timetable(case, _current(appeal, la_received_on=on), actor=actor)


async def record_response_sent(case: Disagreement, on: dt.date, *, actor: CurrentUser) -> Disagreement:
    """`duty_done` on `tribunal_la_response`: the LA sent its response to the tribunal on `on`."""
    appeal = await appeal_row(case.id)
    return await save_timetable(case, _current(appeal, response_sent_on=on), actor=actor)
