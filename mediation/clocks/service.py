"""Starting, stopping and recomputing statutory clocks; the case's nearest due date follows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import msgspec

from mediation.audit import service as audit
from mediation.cases.tables import Disagreement
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.rules.calendar import WorkingCalendar, format_date
from mediation.rules.deadlines import compute_deadline

# Who must act on each clock, in the terms the queues use (statute.md section 3, "who must act").
ACTOR_BY_RULE: dict[str, str] = {
    "contact_mediation_adviser": "family",
    "appeal": "family",
    "discrimination_claim": "family",
    "certificate_after_decline": "mediation_adviser",
    "certificate_unable_to_arrange": "mediation_adviser",
    "certificate_after_mediation": "mediator",
    "mediation_held_by_icb": "health_commissioner",
    "agreement_icb_tells_la": "health_commissioner",
}
ACTOR_LABELS = {
    "family": "The family",
    "local_authority": "The local authority",
    "health_commissioner": "The health commissioner",
    "mediation_adviser": "The mediation adviser",
    "mediator": "The mediator",
}
RULE_TITLES = {
    "contact_mediation_adviser": "Contact a mediation adviser",
    "appeal": "Appeal to the First-tier Tribunal (SEND)",
    "notify_health_commissioner": "Local authority tells the health commissioner",
    "mediation_held_by_la": "Mediation held (arranged by the local authority)",
    "mediation_held_by_icb": "Mediation held (arranged by the health commissioner)",
    "certificate_after_decline": "Certificate after mediation is declined",
    "certificate_unable_to_arrange": "Certificate when mediation cannot be arranged in 30 days",
    "certificate_after_mediation": "Certificate after mediation",
    "mediation_notice": "Notice of the mediation date and place",
    "agreement_appealable": "Act on the mediation agreement (appealable matters)",
    "agreement_non_appealable": "Act on the mediation agreement",
    "agreement_icb_tells_la": "Health commissioner tells the local authority about the agreement",
    "agreement_override": "Act on the mediation agreement (timescale agreed in writing)",
    "discrimination_claim": "Disability discrimination claim to the tribunal",
    "tribunal_la_response": "Local authority's response to the appeal",
    "order_assess_notify": "Order: tell the family whether a plan will be issued after assessment",
    "order_assess_no_plan": "Order: assess, and tell the family if no plan will be issued",
    "order_assess_final_plan": "Order: assess and issue the final plan",
    "order_issue_draft_plan": "Order: issue a draft plan",
    "order_issue_final_plan": "Order: issue the final plan",
    "order_amend_plan": "Order: amend the plan",
    "order_section_i": "Order: name the school or placement (section I)",
    "order_cease": "Order: cease to maintain the plan",
    "order_continue": "Order: continue to maintain the plan",
    "order_reconsider": "Order: reconsider",
    "unopposed_assess_notify": "Unopposed appeal: tell the family whether a plan will be issued",
    "unopposed_assess_no_plan": "Unopposed appeal: assess, and tell the family if no plan will be issued",
    "unopposed_assess_final_plan": "Unopposed appeal: assess and issue the final plan",
    "unopposed_plan_contents": "Unopposed appeal: amend the plan's contents",
    "unopposed_amend_plan": "Unopposed appeal: amend the plan",
    "unopposed_section_i": "Unopposed appeal: name the school or placement (section I)",
    "unopposed_issue_draft_plan": "Unopposed appeal: issue a draft plan",
    "unopposed_issue_final_plan": "Unopposed appeal: issue the final plan",
    "recommendation_response": "Respond to the tribunal's recommendation",
    "ehc_assessment_decision": "Decide whether to carry out an EHC needs assessment",
    "ehc_final_plan": "Issue the final EHC plan",
    "draft_plan_representations": "Time allowed to comment on the draft plan",
    "review_amended_plan": "Issue the amended plan after review",
}


def actor_for(rule_id: str) -> str:
    return ACTOR_BY_RULE.get(rule_id, "local_authority")


def title_for(rule_id: str) -> str:
    return RULE_TITLES.get(rule_id, rule_id.replace("_", " ").capitalize())


class ClockView(msgspec.Struct):
    rule: str
    title: str
    actor: str
    actor_label: str
    started_on: dt.date
    due: dt.date
    status: str
    citation: str
    rule_status: str
    explanation: list[str]
    started_by: str
    stopped_on: dt.date | None
    stop_reason: str


async def start_clock(
    disagreement_id: int,
    rule_id: str,
    inputs: Mapping[str, dt.date | str],
    *,
    started_by: str,
    decision_date: dt.date,
    calendar: WorkingCalendar | None = None,
    actor: CurrentUser | None = None,
    keep_running: bool = False,
) -> dt.date | None:
    """Start (or recompute, if already running) one clock; call inside the change's transaction.

    `keep_running`: leave an already running clock as it is (a re-route must not restart the law's clock).
    """
    deadline = compute_deadline(rule_id, inputs, decision_date=decision_date, calendar=calendar)
    started_on = min((v for v in inputs.values() if isinstance(v, dt.date)), default=decision_date)
    now = dt.datetime.now(dt.UTC)
    running = (
        await StatutoryClock.select(StatutoryClock.id, StatutoryClock.due, StatutoryClock.version)
        .where(
            (StatutoryClock.disagreement == disagreement_id)
            & (StatutoryClock.rule == rule_id)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .first()
    )
    if running is not None and keep_running:
        return running["due"]
    values = {
        StatutoryClock.due: deadline.due,
        StatutoryClock.started_on: started_on,
        StatutoryClock.citation: deadline.citation,
        StatutoryClock.rule_status: deadline.status,
        StatutoryClock.explanation: list(deadline.explanation),
        StatutoryClock.started_by: started_by,
        StatutoryClock.updated_at: now,
    }
    if running is None:
        await StatutoryClock.insert(
            StatutoryClock(
                disagreement=disagreement_id,
                rule=rule_id,
                actor=actor_for(rule_id),
                status=ClockStatus.running.value,
                created_at=now,
                **{column._meta.name: value for column, value in values.items()},
            )
        )
        summary = f"Clock started: {title_for(rule_id)}, due {format_date(deadline.due)} ({started_by})"
    else:
        await StatutoryClock.update({**values, StatutoryClock.version: running["version"] + 1}).where(
            StatutoryClock.id == running["id"]
        )
        summary = f"Clock recomputed: {title_for(rule_id)}, due {format_date(deadline.due)} ({started_by})"
    await audit.record(
        actor=actor,
        action="clock_start" if running is None else "clock_recompute",
        entity="statutory_clock",
        entity_id=f"{disagreement_id}:{rule_id}",
        summary=summary,
        after={"rule": rule_id, "due": deadline.due.isoformat()},
        disagreement_id=disagreement_id,
    )
    await refresh_next_due(disagreement_id)
    return deadline.due


async def stop_clock(
    disagreement_id: int,
    rule_id: str,
    *,
    on: dt.date,
    reason: str,
    status: ClockStatus = ClockStatus.met,
    actor: CurrentUser | None = None,
) -> bool:
    """Stop the running clock of a rule (met, or cancelled when it no longer applies). False if none ran."""
    running = await StatutoryClock.select(StatutoryClock.id).where(
        (StatutoryClock.disagreement == disagreement_id)
        & (StatutoryClock.rule == rule_id)
        & (StatutoryClock.status == ClockStatus.running.value)
    )
    stopped = [
        await stop_clock_by_id(disagreement_id, r["id"], on=on, reason=reason, status=status, actor=actor)
        for r in running
    ]
    return any(stopped)


async def stop_clock_by_id(
    disagreement_id: int,
    clock_id: int,
    *,
    on: dt.date,
    reason: str,
    status: ClockStatus = ClockStatus.met,
    actor: CurrentUser | None = None,
) -> bool:
    """Stop one clock row (a case may run the same rule for two bodies, e.g. tribunal recommendations)."""
    stopped = (
        await StatutoryClock.update(
            {
                StatutoryClock.status: status.value,
                StatutoryClock.stopped_on: on,
                StatutoryClock.stop_reason: reason,
                StatutoryClock.updated_at: dt.datetime.now(dt.UTC),
            }
        )
        .where(
            (StatutoryClock.id == clock_id)
            & (StatutoryClock.disagreement == disagreement_id)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .returning(StatutoryClock.rule)
    )
    if not stopped:
        return False
    rule_id = stopped[0]["rule"]
    verb = "met" if status is ClockStatus.met else "cancelled"
    await audit.record(
        actor=actor,
        action=f"clock_{verb}",
        entity="statutory_clock",
        entity_id=f"{disagreement_id}:{rule_id}:{clock_id}",
        summary=f"Clock {verb}: {title_for(rule_id)} ({reason})",
        disagreement_id=disagreement_id,
    )
    await refresh_next_due(disagreement_id)
    return True


async def refresh_next_due(disagreement_id: int) -> None:
    """Keep the case's nearest running due date in a column, so queues sort by an index."""
    row = (
        await StatutoryClock.select(StatutoryClock.due)
        .where(
            (StatutoryClock.disagreement == disagreement_id)
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .order_by(StatutoryClock.due)
        .first()
    )
    await Disagreement.update(
        {
            Disagreement.next_due_date: row["due"] if row else None,
            Disagreement.updated_at: dt.datetime.now(dt.UTC),
        }
    ).where(Disagreement.id == disagreement_id)


async def clocks_for(disagreement_id: int) -> list[ClockView]:
    rows = (
        await StatutoryClock.select()
        .where(StatutoryClock.disagreement == disagreement_id)
        .order_by(StatutoryClock.due)
        .output(load_json=True)
    )
    return [
        ClockView(
            rule=r["rule"],
            title=title_for(r["rule"]),
            actor=r["actor"],
            actor_label=ACTOR_LABELS.get(r["actor"], r["actor"]),
            started_on=r["started_on"],
            due=r["due"],
            status=r["status"],
            citation=r["citation"],
            rule_status=r["rule_status"],
            explanation=list(r["explanation"] or []),
            started_by=r["started_by"],
            stopped_on=r["stopped_on"],
            stop_reason=r["stop_reason"],
        )
        for r in rows
    ]
