"""What the tribunal's decision obliges, as case events: orders (`order_made`, reg 44), recommendations
(`recommendation_made`, 2017 Regs), and the action that meets each duty (`duty_done`). Every duty has a
statutory clock, and a row here for the compliance lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.repository import update_case
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.organisations.service import icb_for_la
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import RulesError
from mediation.tribunal import law
from mediation.tribunal.checks import Checker, TribunalInputError
from mediation.tribunal.commands import appeal_row
from mediation.tribunal.schemas import ActionInput, OrderInput, RecommendationInput
from mediation.tribunal.tables import TribunalObligation
from mediation.tribunal.words import listed, long_day

RECOMMENDATION = "recommendation_response"
# Which body a duty's clock is owed by, as the clock names it, for each kind of owing organisation.
ACTOR_FOR_BODY = {"health": "health_commissioner", "social_care": "local_authority"}


def _dates(case: Disagreement, rule: str, start: dt.date | None, field: str) -> dt.date | None:
    """A rule's date from `start`, or a form error if the law encoded does not cover this case."""
    if start is None:
        return None
    try:
        return compute_deadline(rule, {"start": start}, decision_date=case.decision_notice_sent).due
    except RulesError as exc:
        raise TribunalInputError({f"{field}-day": f"This date cannot be worked out: {exc.detail}"}) from exc


async def _running_clock_id(case_id: int, rule: str, actor: str) -> int | None:
    row = (
        await StatutoryClock.select(StatutoryClock.id)
        .where(
            (StatutoryClock.disagreement == case_id)
            & (StatutoryClock.rule == rule)
            & (StatutoryClock.actor == actor)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .first()
    )
    return None if row is None else int(row["id"])


async def _upsert(case_id: int, appeal_id: int, rule: str, owed_by: int, values: dict[str, Any]) -> int:
    now = timekeeping.now()
    open_row = (
        await TribunalObligation.select(TribunalObligation.id)
        .where(
            (TribunalObligation.disagreement == case_id)
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
            disagreement=case_id,
            rule=rule,
            owed_by=owed_by,
            created_at=now,
            updated_at=now,
            **values,
        )
    ).returning(TribunalObligation.id)
    return int(rows[0]["id"])


async def keep_duties(
    case: Disagreement,
    kind: str,
    order_type: str,
    rules: tuple[str, ...],
    made_on: dt.date,
    sent_on: dt.date | None,
    *,
    actor: CurrentUser,
) -> None:
    """Inside the event, after its clocks started: a duty row per rule for the compliance lists."""
    appeal = await appeal_row(case.id)
    for rule in rules:
        due = _dates(case, rule, made_on, "made_on")
        assert due is not None
        values = {
            "kind": kind,
            "order_type": order_type,
            "made_on": made_on,
            "sent_on": sent_on,
            "due": due,
            "practical_due": _dates(case, rule, sent_on, "sent_on"),
            "clock": await _running_clock_id(case.id, rule, "local_authority"),
            "recorded_by": actor.id,
        }
        await _upsert(case.id, appeal["id"], rule, case.local_authority_id, values)


def order_type_for(order: str) -> str | None:
    """The kind of order an `order_*` rule (the API) or an order type (the page) names."""
    if order in law.ORDER_TYPES:
        return order
    return next((key for key, o in law.ORDER_TYPES.items() if order in o.rules), None)


async def record_order(case: Disagreement, data: OrderInput, *, actor: CurrentUser) -> Disagreement:
    """`order_made`: the order's compliance clocks start on the date it was made (reg 44)."""
    label = "the order date"
    events.check(case, "order_made", actor=actor, on=data.made_on, on_field="made_on-day", label=label)
    check = Checker(timekeeping.today())
    order_type = order_type_for(data.order_type)
    if order_type is None:
        check.add("order_type", "Select what the tribunal ordered")
    check.past("sent_on", data.sent_on, "the date the tribunal sent the order")
    check.after("sent_on", data.sent_on, "the date sent", data.made_on, "the order date")
    check.raise_if_any()
    assert order_type is not None
    order = law.ORDER_TYPES[order_type]
    lines = []
    for rule in order.rules:  # refuse before anything is written if a date cannot be worked out
        due = _dates(case, rule, data.made_on, "made_on")
        _dates(case, rule, data.sent_on, "sent_on")
        lines.append(f"{law.duty_label(rule).lower()} by {long_day(due)}")  # type: ignore[arg-type]
    sent = f", sent {long_day(data.sent_on)}" if data.sent_on else ""
    started_by = f"tribunal order made {long_day(data.made_on)}"

    async def after(change: Change) -> None:
        await keep_duties(
            change.case, "order", order_type, order.rules, data.made_on, data.sent_on, actor=actor
        )

    return await events.record(
        case,
        "order_made",
        actor=actor,
        on=data.made_on,
        summary=f"Tribunal order recorded: {order.label} (made {long_day(data.made_on)}{sent}). "
        f"The local authority must {listed(lines)}",
        data={
            "order_type": order_type,
            "rules": list(order.rules),
            "started_by": started_by,
            "sent_on": data.sent_on,
        },
        then=after,
        on_field="made_on-day",
        label=label,
    )


async def record_recommendation(
    case: Disagreement, data: RecommendationInput, *, actor: CurrentUser
) -> Disagreement:
    """`recommendation_made`: the body addressed (the ICB, or the LA's social care) must respond within
    5 weeks (2017 Regs reg 6)."""
    label = "the date of the recommendation"
    events.check(
        case, "recommendation_made", actor=actor, on=data.made_on, on_field="made_on-day", label=label
    )
    check = Checker(timekeeping.today())
    if data.body not in law.BODY_LABELS:
        check.add("body", "Select who the recommendation is addressed to")
    elif case.decision in law.NO_RECOMMENDATIONS:
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
    check.past("received_on", data.received_on, "the date it was received")
    check.after("received_on", data.received_on, "the date received", data.made_on, "the recommendation")
    health = data.body == "health"
    owed_by = case.local_authority_id
    if health and not check.errors:
        owed_by = case.icb_id or await icb_for_la(case.local_authority_id)  # type: ignore[assignment]
        if owed_by is None:
            check.add(
                "body", "No integrated care board is linked to this local authority: ask an administrator"
            )
    check.raise_if_any()
    start = data.received_on or data.made_on
    due = _dates(case, RECOMMENDATION, start, "made_on")
    actor_kind = ACTOR_FOR_BODY[data.body]

    async def writes(change: Change) -> None:
        if health and change.case.icb_id is None:
            # The ICB becomes a party so it can see and respond to the recommendation: who may see the
            # case changes, so the log says so.
            await update_case(change.case.id, {"icb": owed_by}, timekeeping.now())
            await audit.record(
                actor=actor,
                action="add_party",
                entity="disagreement",
                entity_id=change.case.reference,
                summary="The integrated care board was added to the case so it can respond to the "
                "tribunal's recommendation",
                before={"icb": None},
                after={"icb": owed_by},
                disagreement_id=change.case.id,
            )

    async def after(change: Change) -> None:
        appeal = await appeal_row(change.case.id)
        values = {
            "kind": "recommendation",
            "order_type": data.body,
            "made_on": data.made_on,
            "sent_on": data.received_on,
            "due": due,
            "practical_due": None,
            "clock": await _running_clock_id(change.case.id, RECOMMENDATION, actor_kind),
            "sections": ",".join(s for s in law.RECOMMENDATION_SECTIONS if s in data.sections),
            "details": data.details.strip(),
            "recorded_by": actor.id,
        }
        await _upsert(change.case.id, appeal["id"], RECOMMENDATION, owed_by, values)

    return await events.record(
        case,
        "recommendation_made",
        actor=actor,
        on=data.made_on,
        summary=f"Tribunal recommendation to {law.BODY_LABELS[data.body]} recorded (sections "
        f"{', '.join(data.sections)}): a response is due by {long_day(due)}",  # type: ignore[arg-type]
        data={
            "body": actor_kind,
            "start": start,
            "started_by": f"tribunal recommendation to {law.BODY_LABELS[data.body]}",
            "sections": list(data.sections),
        },
        writes=writes,
        then=after,
        on_field="made_on-day",
        label=label,
    )


async def duty_for(case: Disagreement, obligation_id: int, user: CurrentUser) -> dict[str, Any] | None:
    """A duty on this case owed by the user's own organisation; None for anyone else's."""
    if user.organisation_id is None:
        return None
    return (
        await TribunalObligation.select()
        .where(
            (TribunalObligation.id == obligation_id)
            & (TribunalObligation.disagreement == case.id)
            & (TribunalObligation.owed_by == user.organisation_id)
        )
        .first()
    )


async def open_duty_for_rule(case: Disagreement, rule: str, user: CurrentUser) -> dict[str, Any] | None:
    """The open duty row of this rule owed by the user's organisation, if the tribunal made one."""
    if user.organisation_id is None:
        return None
    return (
        await TribunalObligation.select()
        .where(
            (TribunalObligation.disagreement == case.id)
            & (TribunalObligation.rule == rule)
            & (TribunalObligation.owed_by == user.organisation_id)
            & (TribunalObligation.status == "open")
        )
        .first()
    )


async def _close_rows(
    case_id: int,
    appeal_id: int,
    owed_by: int,
    rules: list[str],
    status: str,
    on: dt.date,
    action: str,
    note: str,
) -> None:
    """Close the open duties of these rules that this body owes (another body may owe the same rule: a
    recommendation to the ICB and one to the LA's social care)."""
    await TribunalObligation.update(
        {
            TribunalObligation.status: status,
            TribunalObligation.done_on: on,
            TribunalObligation.action: action,
            TribunalObligation.note: note,
            TribunalObligation.updated_at: timekeeping.now(),
        }
    ).where(
        (TribunalObligation.disagreement == case_id)
        & (TribunalObligation.appeal == appeal_id)
        & (TribunalObligation.owed_by == owed_by)
        & TribunalObligation.rule.is_in(rules or ["-"])
        & (TribunalObligation.status == "open")
    )


async def record_action(
    case: Disagreement, duty: dict[str, Any], data: ActionInput, *, actor: CurrentUser
) -> Disagreement:
    """`duty_done` on a tribunal duty: what the body did (met), or that the duty no longer applies
    (cancelled); an action can end sibling duties of the same order (a plan issued ends 'no plan')."""
    label = "the date it was done"
    if duty["status"] != "open":
        raise TribunalInputError({"action": "This has already been recorded"})
    events.check(
        case,
        "duty_done",
        actor=actor,
        on=data.done_on,
        detail=duty["rule"],
        on_field="done_on-day",
        label=label,
    )
    check = Checker(timekeeping.today())
    allowed = law.actions_for(duty["rule"])
    if data.action not in allowed:
        check.add("action", "Select what was done")
    elif law.ACTIONS[data.action].needs_note and not data.note.strip():
        check.add("note", "Say why this no longer applies")
    if len(data.note) > 1000:
        check.add("note", "The note must be 1,000 characters or fewer")
    check.raise_if_any()
    action = law.ACTIONS[data.action]
    prefix = duty["rule"].split("_", 1)[0] + "_"  # order_ or unopposed_: siblings of the same decision
    siblings = [prefix + key for key in action.cancels]
    note = data.note.strip()

    async def writes(change: Change) -> None:
        status = "met" if action.met else "cancelled"
        owed_by = duty["owed_by"]
        await _close_rows(
            change.case.id, duty["appeal"], owed_by, [duty["rule"]], status, data.done_on, data.action, note
        )
        await _close_rows(
            change.case.id,
            duty["appeal"],
            owed_by,
            siblings,
            "cancelled",
            data.done_on,
            data.action,
            "no longer applies",
        )

    return await events.record(
        case,
        "duty_done",
        actor=actor,
        on=data.done_on,
        detail=duty["rule"],
        summary=f"{law.duty_label(duty['rule'])}: {action.label.lower()} on {long_day(data.done_on)}"
        + (f" ({note})" if note else ""),
        data={"met": action.met, "reason": action.label.lower(), "cancels": siblings, "action": data.action},
        writes=writes,
        on_field="done_on-day",
        label=label,
    )


async def _pass_duties_on(change: Change) -> None:
    """A case passed to a successor (`succeeded`, cases/succession.py): the open duties from the
    tribunal's decision are owed by the successor from now on."""
    for s in change.case.successions:
        await TribunalObligation.update({TribunalObligation.owed_by: s.to_id}).where(
            (TribunalObligation.disagreement == change.case.id)
            & (TribunalObligation.owed_by == s.from_id)
            & (TribunalObligation.status == "open")
        )


# Registered for the case's `succeeded` event, in its transaction (cases/events.py: add_writes).
events.add_writes("succeeded", "tribunal", _pass_duties_on)
