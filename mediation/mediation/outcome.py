"""The outcome of mediation, issue by issue, and the steps after a written agreement (Regs 42)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation.audit import service as audit
from mediation.cases.tables import DisputedMatter
from mediation.clocks.service import actor_for, refresh_next_due, start_clock, stop_clock
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.mediation.common import (
    HELD_CLOCKS,
    MediationError,
    arranging_calendar,
    check_date,
    move,
    routing_of,
    save_record,
)
from mediation.mediation.slots import LONDON
from mediation.mediation.tables import (
    IssueOutcome,
    MediationRecord,
    MediationSession,
    SessionAttendee,
    SessionStatus,
)
from mediation.rules.calendar import format_date
from mediation.rules.catalogue import ORDER_RULE_IDS
from mediation.rules.routing import SECTION_LABELS

OUTCOMES = {"agreed": "Agreed", "partly_agreed": "Partly agreed", "not_agreed": "Not agreed"}
APPEALABLE_SECTIONS = {"B", "F", "I"}
OVERRIDE_CITATION = "SEND Regulations 2014 reg 42(5)"


class Issue(msgspec.Struct):
    issue: str  # plan section, or "decision"
    label: str
    appealable: bool


class IssueResult(msgspec.Struct):
    issue: str
    outcome: str
    note: str = ""


class OutcomeForm(msgspec.Struct, kw_only=True):
    held_on: dt.date | None
    results: list[IssueResult]
    agreement_text: str = ""
    agreement_date: dt.date | None = None
    order: str = ""  # the order_* rule an appealable agreement matches (Regs 42(2))
    agreed_due: dt.date | None = None  # a different timescale agreed in writing (Regs 42(5))


async def issues_of(case: dict[str, Any]) -> list[Issue]:
    """The issues in dispute: each disputed plan section, or the decision itself."""
    routing = routing_of(case)
    sections = await DisputedMatter.select(DisputedMatter.section).where(
        DisputedMatter.disagreement == case["id"]
    )
    names = sorted({s["section"] for s in sections} | {s for s in str(case["sections"]).split(",") if s})
    if case["decision"] != "plan_contents" or not names:
        return [Issue("decision", "The decision itself", routing.appeal_available)]
    return [Issue(s, f"Section {SECTION_LABELS.get(s, s)}", s in APPEALABLE_SECTIONS) for s in names]


def _validate(form: OutcomeForm, issues: list[Issue], case: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_date(
        errors,
        "held",
        form.held_on,
        "the date the mediation was held",
        not_before=case["decision_notice_sent"],
    )
    given = {r.issue: r for r in form.results}
    for issue in issues:
        result = given.get(issue.issue)
        if result is None or result.outcome not in OUTCOMES:
            errors[f"outcome-{issue.issue}"] = (
                f"Select the outcome for {issue.label[0].lower()}{issue.label[1:]}"
            )
    agreed = [i for i in issues if i.issue in given and given[i.issue].outcome in {"agreed", "partly_agreed"}]
    if not agreed:
        return errors
    if not form.agreement_text.strip():
        errors["agreement_text"] = "Enter the written mediation agreement"
    check_date(
        errors, "agreement", form.agreement_date, "the date of the written agreement", not_before=form.held_on
    )
    if form.agreed_due is not None:
        if form.agreement_date is not None and form.agreed_due < form.agreement_date:
            errors["agreed_due"] = "The agreed date must be on or after the date of the agreement"
    elif any(i.appealable for i in agreed) and form.order not in ORDER_RULE_IDS:
        errors["order"] = "Select which tribunal order the agreement on appealable matters matches"
    return errors


async def record_outcome(case: dict[str, Any], form: OutcomeForm, *, actor: CurrentUser) -> str:
    """Conclude the mediation (hold_mediation, then record_agreement or record_no_agreement); returns the
    new state."""
    issues = await issues_of(case)
    errors = _validate(form, issues, case)
    if case["state"] != "session_arranged":
        errors["state"] = "The outcome can be recorded once a session has been arranged, and only once"
    if errors:
        raise MediationError(errors)
    assert form.held_on is not None
    given = {r.issue: r for r in form.results}
    agreed = [i for i in issues if given[i.issue].outcome in {"agreed", "partly_agreed"}]
    routing = routing_of(case)
    calendar = await arranging_calendar(case)
    common = {"decision_date": case["decision_notice_sent"], "calendar": calendar, "actor": actor}
    async with transaction():
        held = (
            await MediationSession.update({MediationSession.status: SessionStatus.held.value})
            .where(
                (MediationSession.disagreement == case["id"])
                & (MediationSession.status == SessionStatus.booked.value)
                & (
                    MediationSession.starts_at
                    < dt.datetime.combine(form.held_on + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
                )
            )
            .returning(MediationSession.id)
        )
        if not held:
            raise MediationError(
                {"held-day": "No booked session on or before that date: book or move the session first"}
            )
        await SessionAttendee.update({SessionAttendee.status: SessionStatus.held.value}).where(
            SessionAttendee.session.is_in([h["id"] for h in held])
        )
        await move(case, "hold_mediation", actor, f"Mediation held on {format_date(form.held_on)}")
        for rule in HELD_CLOCKS:
            await stop_clock(case["id"], rule, on=form.held_on, reason="mediation held", actor=actor)
        await IssueOutcome.insert(
            *[
                IssueOutcome(
                    disagreement=case["id"],
                    issue=i.issue,
                    outcome=given[i.issue].outcome,
                    note=given[i.issue].note.strip(),
                    appealable=i.appealable,
                )
                for i in issues
            ]
        )
        outcome = "agreement" if agreed else "no_agreement"
        await save_record(
            case["id"],
            {
                MediationRecord.concluded_on: form.held_on,
                MediationRecord.outcome: outcome,
                MediationRecord.agreement_date: form.agreement_date if agreed else None,
                MediationRecord.agreement_text: form.agreement_text.strip() if agreed else "",
                MediationRecord.follow_up_order: form.order if agreed and form.agreed_due is None else "",
                MediationRecord.agreed_due: form.agreed_due if agreed else None,
            },
        )
        summary = ", ".join(f"{i.label}: {OUTCOMES[given[i.issue].outcome].lower()}" for i in issues)
        await move(
            case,
            "record_agreement" if agreed else "record_no_agreement",
            actor,
            f"Mediation {'agreement' if agreed else 'ended without agreement'} ({summary})",
        )
        if routing.certificate_required:
            await start_clock(
                case["id"],
                "certificate_after_mediation",
                {"start": form.held_on},
                started_by="the mediation concluded",
                **common,
            )
        if agreed:
            assert form.agreement_date is not None
            await _agreement_clocks(case, agreed, form, routing.arranged_by, actor, common)
    return case["state"]


async def _agreement_clocks(
    case: dict[str, Any],
    agreed: list[Issue],
    form: OutcomeForm,
    arranged_by: str | None,
    actor: CurrentUser,
    common: dict[str, Any],
) -> None:
    start = form.agreement_date
    assert start is not None
    said = "written mediation agreement"
    if form.agreed_due is not None:
        await _override_clock(case, start, form.agreed_due, arranged_by, actor)
    else:
        if any(i.appealable for i in agreed):
            await start_clock(
                case["id"],
                "agreement_appealable",
                {"start": start, "order": form.order},
                started_by=said,
                **common,
            )
        if any(not i.appealable for i in agreed):
            await start_clock(
                case["id"], "agreement_non_appealable", {"start": start}, started_by=said, **common
            )
    if arranged_by == "health_commissioner":
        # Regs 42(4): the LA was not a party, so the ICB must tell it of the agreement within 1 week.
        await start_clock(case["id"], "agreement_icb_tells_la", {"start": start}, started_by=said, **common)


async def _override_clock(
    case: dict[str, Any], agreed_on: dt.date, due: dt.date, arranged_by: str | None, actor: CurrentUser
) -> None:
    """Regs 42(5): the parties agreed a different timescale in writing. The rules core records, but does not
    compute, agreement_override, so the agreed date is stored as the clock's due date directly."""
    now = dt.datetime.now(dt.UTC)
    running = await StatutoryClock.exists().where(
        (StatutoryClock.disagreement == case["id"])
        & (StatutoryClock.rule == "agreement_override")
        & (StatutoryClock.status == ClockStatus.running.value)
    )
    if running:
        await stop_clock(
            case["id"],
            "agreement_override",
            on=agreed_on,
            reason="replaced by a new agreement",
            status=ClockStatus.cancelled,
            actor=actor,
        )
    await StatutoryClock.insert(
        StatutoryClock(
            disagreement=case["id"],
            rule="agreement_override",
            actor="health_commissioner"
            if arranged_by == "health_commissioner"
            else actor_for("agreement_override"),
            started_on=agreed_on,
            due=due,
            status=ClockStatus.running.value,
            citation=OVERRIDE_CITATION,
            rule_status="P",
            started_by="the parties agreed a different timescale in writing",
            explanation=[
                f"The parties agreed in writing on {format_date(agreed_on)} to do what was agreed by "
                f"{format_date(due)}, instead of the timescales in reg 42(2) and (3) ({OVERRIDE_CITATION})",
                f"due {format_date(due)}",
            ],
            created_at=now,
            updated_at=now,
        )
    )
    await audit.record(
        actor=actor,
        action="clock_start",
        entity="statutory_clock",
        entity_id=f"{case['id']}:agreement_override",
        disagreement_id=case["id"],
        summary=f"Clock started: Agreement override, due {format_date(due)} (timescale agreed in writing)",
        after={"rule": "agreement_override", "due": due.isoformat()},
    )
    await refresh_next_due(case["id"])


async def outcomes_for(case_id: int) -> list[dict[str, Any]]:
    return await IssueOutcome.select().where(IssueOutcome.disagreement == case_id).order_by(IssueOutcome.id)
