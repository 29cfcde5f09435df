"""The tribunal's timetable for an appeal, and the LA response clock that follows it."""

from __future__ import annotations

import datetime as dt

from mediation.audit import service as audit
from mediation.clocks.service import start_clock, stop_clock
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.closures import calendar_for
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import RulesError
from mediation.tribunal.checks import Checker, TribunalInputError
from mediation.tribunal.clockwork import lock_case, override_due, running_clock_id
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


def _check_timetable(appeal: dict, data: TimetableInput, today: dt.date) -> None:
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
    if data.hearing_on is not None:
        for name in ("evidence_due", "bundle_due"):
            value = getattr(data, name)
            if value is not None and value > data.hearing_on:
                check.add(f"{name}-day", f"The {TIMETABLE_LABELS[name]} must be before the hearing date")
    check.raise_if_any()


async def save_timetable(case: dict, data: TimetableInput, *, actor: CurrentUser) -> None:
    appeal = await appeal_row(case["id"])
    _check_timetable(appeal, data, dt.date.today())
    calendar = await calendar_for(case["local_authority"])
    computed = None
    if data.la_received_on is not None:
        try:
            computed = compute_deadline(RESPONSE, {"start": data.la_received_on}, calendar=calendar).due
        except RulesError as exc:
            raise TribunalInputError(
                {"la_received_on-day": f"The response date cannot be worked out: {exc.detail}"}
            ) from exc
    after = {**{name: getattr(data, name) for name in TIMETABLE_LABELS}, "response_computed": computed}
    after["tribunal_reference"] = data.tribunal_reference.strip()
    before = {name: appeal[name] for name in after}
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return
    async with transaction():
        await lock_case(case["id"])
        await TribunalAppeal.update(
            {
                **{getattr(TribunalAppeal, k): v for k, v in after.items()},
                TribunalAppeal.updated_at: dt.datetime.now(dt.UTC),
            }
        ).where(TribunalAppeal.id == appeal["id"])
        if {"la_received_on", "response_directed", "response_sent_on"} & set(changed):
            await sync_response_clock(case, {**appeal, **after}, actor=actor)
        words = [TIMETABLE_LABELS[n] for n in changed if n in TIMETABLE_LABELS]
        await audit.record(
            actor=actor,
            action="tribunal_timetable",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=f"Tribunal timetable updated: {listed(words)}",
            before={n: before[n] for n in changed},
            after={n: after[n] for n in changed},
            disagreement_id=case["id"],
        )


async def sync_response_clock(case: dict, appeal: dict, *, actor: CurrentUser) -> None:
    """The LA's response clock follows the timetable: started on receipt, directed date applied, met when
    sent, cancelled when no response is needed any more."""
    case_id = case["id"]
    running = await running_clock_id(case_id, RESPONSE)
    received, sent = appeal["la_received_on"], appeal["response_sent_on"]
    today = dt.date.today()
    if appeal["unopposed_on"] or appeal["decision_on"] or received is None:
        if running:
            why = "the date of receipt was removed"
            if appeal["unopposed_on"]:
                why = "the local authority will not oppose the appeal"
            elif appeal["decision_on"]:
                why = "the tribunal has decided the appeal"
            await stop_clock(
                case_id, RESPONSE, on=today, reason=why, status=ClockStatus.cancelled, actor=actor
            )
        return
    ever = await StatutoryClock.exists().where(
        (StatutoryClock.disagreement == case_id) & (StatutoryClock.rule == RESPONSE)
    )
    if sent is not None and ever and running is None:
        return  # already met
    await start_clock(
        case_id,
        RESPONSE,
        {"start": received},
        started_by="the local authority received the appeal from the tribunal",
        decision_date=case["decision_notice_sent"],
        calendar=await calendar_for(case["local_authority"]),
        actor=actor,
    )
    if appeal["response_directed"] is not None:
        await override_due(
            case_id,
            RESPONSE,
            appeal["response_directed"],
            f"the tribunal directed the response by {long_day(appeal['response_directed'])}; that date "
            "applies instead of the computed one",
            actor=actor,
        )
    if sent is not None:
        await stop_clock(case_id, RESPONSE, on=sent, reason=f"response sent on {long_day(sent)}", actor=actor)
