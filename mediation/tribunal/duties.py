"""What the tribunal's decision obliges: orders (reg 44), unopposed appeals (reg 45), recommendations
(2017 Regs), and the actions that meet them. Every duty has a statutory clock."""

from __future__ import annotations

import datetime as dt

from mediation.audit import service as audit
from mediation.cases.state import apply_event, facts_for
from mediation.cases.tables import Disagreement
from mediation.clocks.service import start_clock, stop_clock_by_id
from mediation.clocks.tables import ClockStatus
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.closures import calendar_for
from mediation.organisations.service import icb_for_la
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import RulesError
from mediation.rules.lifecycle import allowed_events
from mediation.tribunal import law
from mediation.tribunal.checks import Checker, NoAppeal, TribunalInputError
from mediation.tribunal.clockwork import lock_case, running_clock_id, start_body_clock
from mediation.tribunal.schemas import ActionInput, OrderInput, RecommendationInput
from mediation.tribunal.tables import TribunalAppeal, TribunalObligation
from mediation.tribunal.words import listed, long_day

RECOMMENDATION = "recommendation_response"


async def _appeal(case_id: int) -> dict:
    row = await TribunalAppeal.select().where(TribunalAppeal.disagreement == case_id).first()
    if row is None:
        raise NoAppeal("No appeal has been recorded on this case yet")
    return row


def _dates(case: dict, rule: str, start: dt.date | None, field: str) -> dt.date | None:
    """A rule's date from `start`, or a form error if the law encoded does not cover this case."""
    if start is None:
        return None
    try:
        return compute_deadline(rule, {"start": start}, decision_date=case["decision_notice_sent"]).due
    except RulesError as exc:
        raise TribunalInputError({f"{field}-day": f"This date cannot be worked out: {exc.detail}"}) from exc


async def _upsert(case: dict, appeal_id: int, rule: str, owed_by: int, values: dict) -> int:
    now = dt.datetime.now(dt.UTC)
    open_row = (
        await TribunalObligation.select(TribunalObligation.id)
        .where(
            (TribunalObligation.disagreement == case["id"])
            & (TribunalObligation.rule == rule)
            & (TribunalObligation.owed_by == owed_by)
            & (TribunalObligation.status == "open")
        )
        .first()
    )
    if open_row is not None:
        await TribunalObligation.update(
            {
                **{getattr(TribunalObligation, k): v for k, v in values.items()},
                TribunalObligation.updated_at: now,
            }
        ).where(TribunalObligation.id == open_row["id"])
        return int(open_row["id"])
    rows = await TribunalObligation.insert(
        TribunalObligation(
            appeal=appeal_id,
            disagreement=case["id"],
            rule=rule,
            owed_by=owed_by,
            created_at=now,
            updated_at=now,
            **values,
        )
    ).returning(TribunalObligation.id)
    return int(rows[0]["id"])


async def open_duties(
    case: dict,
    appeal_id: int,
    kind: str,
    order_type: str,
    rules: tuple[str, ...],
    made_on: dt.date,
    sent_on: dt.date | None,
    *,
    owed_by: int,
    started_by: str,
    actor: CurrentUser,
) -> list[str]:
    """Start (or recompute) each rule's clock from `made_on` and keep a duty row per rule; inside the
    caller's transaction. Returns plain-English lines 'duty by date'."""
    calendar = await calendar_for(case["local_authority"])
    lines = []
    for rule in rules:
        practical = _dates(case, rule, sent_on, "sent_on")
        _dates(case, rule, made_on, "made_on")
        due = await start_clock(
            case["id"],
            rule,
            {"start": made_on},
            started_by=started_by,
            decision_date=case["decision_notice_sent"],
            calendar=calendar,
            actor=actor,
        )
        assert due is not None
        values = {
            "kind": kind,
            "order_type": order_type,
            "made_on": made_on,
            "sent_on": sent_on,
            "due": due,
            "practical_due": practical,
            "clock": await running_clock_id(case["id"], rule),
            "recorded_by": actor.id,
        }
        await _upsert(case, appeal_id, rule, owed_by, values)
        lines.append(f"{law.duty_label(rule).lower()} by {long_day(due)}")
    return lines


async def record_order(case: dict, data: OrderInput, *, actor: CurrentUser) -> None:
    appeal = await _appeal(case["id"])
    check = Checker(dt.date.today())
    if data.order_type not in law.ORDER_TYPES:
        check.add("order_type", "Select what the tribunal ordered")
    check.past("made_on", data.made_on, "the order date")
    check.after("made_on", data.made_on, "the order date", appeal["lodged_on"], "the appeal was sent")
    check.past("sent_on", data.sent_on, "the date the tribunal sent the order")
    check.after("sent_on", data.sent_on, "the date sent", data.made_on, "the order date")
    check.raise_if_any()
    order = law.ORDER_TYPES[data.order_type]
    for rule in order.rules:  # refuse before anything is written if a date cannot be worked out
        _dates(case, rule, data.made_on, "made_on")
    sent = f", sent {long_day(data.sent_on)}" if data.sent_on else ""
    async with transaction():
        await lock_case(case["id"])
        lines = await open_duties(
            case,
            appeal["id"],
            "order",
            data.order_type,
            order.rules,
            data.made_on,
            data.sent_on,
            owed_by=case["local_authority"],
            started_by=f"tribunal order made {long_day(data.made_on)}",
            actor=actor,
        )
        await audit.record(
            actor=actor,
            action="tribunal_order",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=f"Tribunal order recorded: {order.label} (made {long_day(data.made_on)}{sent}). "
            f"The local authority must {listed(lines)}",
            after={"order_type": data.order_type, "made_on": data.made_on, "sent_on": data.sent_on},
            disagreement_id=case["id"],
        )


async def record_recommendation(case: dict, data: RecommendationInput, *, actor: CurrentUser) -> None:
    appeal = await _appeal(case["id"])
    check = Checker(dt.date.today())
    if data.body not in law.BODY_LABELS:
        check.add("body", "Select who the recommendation is addressed to")
    elif case["decision"] in law.NO_RECOMMENDATIONS:
        check.add(
            "body", "The tribunal cannot make health or social care recommendations on this kind of appeal"
        )
    elif not data.sections or any(law.RECOMMENDATION_SECTIONS.get(s) != data.body for s in data.sections):
        sections = [s for s, body in law.RECOMMENDATION_SECTIONS.items() if body == data.body]
        check.add("sections", f"Select the sections the recommendation is about ({', '.join(sections)})")
    if not data.details.strip():
        check.add("details", "Enter what the tribunal recommended")
    elif len(data.details) > 2000:
        check.add("details", "What the tribunal recommended must be 2,000 characters or fewer")
    check.past("made_on", data.made_on, "the date of the recommendation")
    check.after("made_on", data.made_on, "the date of the recommendation", appeal["lodged_on"], "the appeal")
    check.past("received_on", data.received_on, "the date it was received")
    check.after("received_on", data.received_on, "the date received", data.made_on, "the recommendation")
    health = data.body == "health"
    owed_by = case["local_authority"]
    if health and not check.errors:
        owed_by = case["icb"] or await icb_for_la(case["local_authority"])
        if owed_by is None:
            check.add(
                "body", "No integrated care board is linked to this local authority: ask an administrator"
            )
    check.raise_if_any()
    start = data.received_on or data.made_on
    _dates(case, RECOMMENDATION, start, "made_on")
    role = "health_commissioner" if health else "local_authority"
    async with transaction():
        await lock_case(case["id"])
        if health and case["icb"] is None:
            await Disagreement.update({Disagreement.icb: owed_by}).where(Disagreement.id == case["id"])
            await audit.record(
                actor=actor,
                action="add_party",
                entity="disagreement",
                entity_id=case["reference"],
                summary="The integrated care board was added to the case so it can respond to the "
                "tribunal's recommendation",
                before={"icb": None},
                after={"icb": owed_by},
                disagreement_id=case["id"],
            )
            case["icb"] = owed_by
        existing = (
            await TribunalObligation.select(TribunalObligation.clock)
            .where(
                (TribunalObligation.disagreement == case["id"])
                & (TribunalObligation.rule == RECOMMENDATION)
                & (TribunalObligation.owed_by == owed_by)
                & (TribunalObligation.status == "open")
            )
            .first()
        )
        clock_id, due = await start_body_clock(
            case["id"],
            RECOMMENDATION,
            start,
            owed_by_role=role,
            started_by=f"tribunal recommendation to {law.BODY_LABELS[data.body]}",
            decision_date=case["decision_notice_sent"],
            calendar=await calendar_for(case["local_authority"]),
            actor=actor,
            clock_id=existing["clock"] if existing else None,
        )
        values = {
            "kind": "recommendation",
            "order_type": data.body,
            "made_on": data.made_on,
            "sent_on": data.received_on,
            "due": due,
            "practical_due": None,
            "clock": clock_id,
            "sections": ",".join(s for s in law.RECOMMENDATION_SECTIONS if s in data.sections),
            "details": data.details.strip(),
            "recorded_by": actor.id,
        }
        await _upsert(case, appeal["id"], RECOMMENDATION, owed_by, values)
        await audit.record(
            actor=actor,
            action="tribunal_recommendation",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=f"Tribunal recommendation to {law.BODY_LABELS[data.body]} recorded (sections "
            f"{', '.join(data.sections)}): a response is due by {long_day(due)}",
            after={"body": data.body, "sections": data.sections, "made_on": data.made_on, "due": due},
            disagreement_id=case["id"],
        )


async def duty_for(case: dict, obligation_id: int, user: CurrentUser) -> dict | None:
    """A duty on this case owed by the user's own organisation; None for anyone else's."""
    if user.organisation_id is None:
        return None
    return (
        await TribunalObligation.select()
        .where(
            (TribunalObligation.id == obligation_id)
            & (TribunalObligation.disagreement == case["id"])
            & (TribunalObligation.owed_by == user.organisation_id)
        )
        .first()
    )


async def _close(duty: dict, status: str, on: dt.date, action: str, note: str, actor: CurrentUser) -> bool:
    """Close an open duty and stop its clock; False if someone closed it first."""
    closed = (
        await TribunalObligation.update(
            {
                TribunalObligation.status: status,
                TribunalObligation.done_on: on,
                TribunalObligation.action: action,
                TribunalObligation.note: note,
                TribunalObligation.updated_at: dt.datetime.now(dt.UTC),
            }
        )
        .where((TribunalObligation.id == duty["id"]) & (TribunalObligation.status == "open"))
        .returning(TribunalObligation.id)
    )
    if closed and duty["clock"] is not None:
        reason = law.ACTIONS[action].label.lower() if action in law.ACTIONS else action
        await stop_clock_by_id(
            duty["disagreement"],
            duty["clock"],
            on=on,
            reason=reason,
            status=ClockStatus.met if status == "met" else ClockStatus.cancelled,
            actor=actor,
        )
    return bool(closed)


async def record_action(case: dict, duty: dict, data: ActionInput, *, actor: CurrentUser) -> None:
    check = Checker(dt.date.today())
    allowed = law.actions_for(duty["rule"])
    if data.action not in allowed:
        check.add("action", "Select what was done")
    elif law.ACTIONS[data.action].needs_note and not data.note.strip():
        check.add("note", "Say why this no longer applies")
    if len(data.note) > 1000:
        check.add("note", "The note must be 1,000 characters or fewer")
    check.past("done_on", data.done_on, "the date it was done")
    check.after(
        "done_on", data.done_on, "the date it was done", duty["made_on"], "the order or recommendation"
    )
    if duty["status"] != "open":
        check.add("action", "This has already been recorded")
    check.raise_if_any()
    action = law.ACTIONS[data.action]
    status = "met" if action.met else "cancelled"
    async with transaction():
        await lock_case(case["id"])
        if not await _close(duty, status, data.done_on, data.action, data.note.strip(), actor):
            raise TribunalInputError({"action": "This has already been recorded"})
        prefix = duty["rule"].split("_", 1)[0] + "_"  # order_ or unopposed_: siblings of the same decision
        for key in action.cancels:
            sibling = (
                await TribunalObligation.select()
                .where(
                    (TribunalObligation.appeal == duty["appeal"])
                    & (TribunalObligation.rule == prefix + key)
                    & (TribunalObligation.status == "open")
                )
                .first()
            )
            if sibling is not None:
                await _close(sibling, "cancelled", data.done_on, data.action, "no longer applies", actor)
        await audit.record(
            actor=actor,
            action="tribunal_action",
            entity="tribunal_obligation",
            entity_id=duty["id"],
            summary=f"{law.duty_label(duty['rule'])}: {action.label.lower()} on {long_day(data.done_on)}"
            + (f" ({data.note.strip()})" if data.note.strip() else ""),
            before={"status": duty["status"]},
            after={"status": status, "action": data.action, "done_on": data.done_on},
            disagreement_id=case["id"],
        )
        await _maybe_complied(case, actor)


async def _maybe_complied(case: dict, actor: CurrentUser) -> None:
    """When every order or unopposed-appeal duty on a decided case is done, the case has complied."""
    if "record_compliance" not in allowed_events(case["state"], facts_for(case)):
        return
    duties = await TribunalObligation.select(TribunalObligation.status).where(
        (TribunalObligation.disagreement == case["id"])
        & TribunalObligation.kind.is_in(["order", "unopposed"])
    )
    statuses = {d["status"] for d in duties}
    if "met" in statuses and "open" not in statuses:
        await apply_event(
            case,
            "record_compliance",
            actor=actor,
            summary="Everything the tribunal's decision required of the local authority has been done",
        )
