"""The outcome of mediation, issue by issue, and the steps after a written agreement (Regs 42)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation import timekeeping
from mediation.advice.service import save_record
from mediation.advice.tables import MediationRecord
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.tables import DisputedMatter
from mediation.errors import Invalid
from mediation.identity import CurrentUser
from mediation.outcomes.tables import IssueOutcome
from mediation.rules.calendar import format_date
from mediation.rules.catalogue import ORDER_RULE_IDS
from mediation.rules.routing import SECTION_LABELS
from mediation.scheduling.slots import LONDON
from mediation.scheduling.tables import MediationSession, SessionAttendee, SessionStatus

OUTCOMES = {"agreed": "Agreed", "partly_agreed": "Partly agreed", "not_agreed": "Not agreed"}
APPEALABLE_SECTIONS = {"B", "F", "I"}
HEALTH_SECTIONS = {"C", "G"}


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
    text_required: bool = True  # the page asks for the agreement's words; the API may leave them out


async def issues_of(case: Disagreement) -> list[Issue]:
    """The issues in dispute: each disputed plan section, or the decision itself."""
    sections = await DisputedMatter.select(DisputedMatter.section).where(
        DisputedMatter.disagreement == case.id
    )
    names = sorted({s["section"] for s in sections} | set(case.sections))
    if case.decision != "plan_contents" or not names:
        return [Issue("decision", "The decision itself", case.appeal_available)]
    return [Issue(s, f"Section {SECTION_LABELS.get(s, s)}", s in APPEALABLE_SECTIONS) for s in names]


def _validate(form: OutcomeForm, issues: list[Issue]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.held_on is None:
        errors["held-day"] = "Enter the date the mediation was held"
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
    if form.text_required and not form.agreement_text.strip():
        errors["agreement_text"] = "Enter the written mediation agreement"
    if form.agreement_date is None:
        errors["agreement-day"] = "Enter the date of the written agreement"
    elif form.held_on is not None and form.agreement_date < form.held_on:
        errors["agreement-day"] = "The date of the written agreement must be on or after the mediation"
    elif form.agreement_date > timekeeping.today():
        errors["agreement-day"] = "The date of the written agreement must be today or in the past"
    if form.agreed_due is not None:
        if form.agreement_date is not None and form.agreed_due < form.agreement_date:
            errors["agreed_due"] = "The agreed date must be on or after the date of the agreement"
    elif any(i.appealable for i in agreed) and form.order not in ORDER_RULE_IDS:
        errors["order"] = "Select which tribunal order the agreement on appealable matters matches"
    return errors


def _bodies(case: Disagreement, agreed: list[Issue]) -> list[str]:
    """Who must act on the agreed non-appealable matters (Regs 42(3)): the ICB for health (C, G), the
    local authority for the rest; on a health-only case the ICB alone."""
    if case.health_only:
        return ["health_commissioner"]
    bodies = set()
    for issue in agreed:
        if not issue.appealable:
            bodies.add(
                "health_commissioner" if issue.issue in HEALTH_SECTIONS and case.icb_id else "local_authority"
            )
    return sorted(bodies)


async def record_outcome(case: Disagreement, form: OutcomeForm, *, actor: CurrentUser) -> Disagreement:
    """`mediation_held`: conclude the mediation issue by issue, with any written agreement (Regs 42)."""
    issues = await issues_of(case)
    given = {r.issue: r for r in form.results}
    agreed = [i for i in issues if i.issue in given and given[i.issue].outcome in {"agreed", "partly_agreed"}]
    outcome = "agreement" if agreed else "no_agreement"
    label = "the date the mediation was held"
    events.require(case, "mediation_held", actor=actor)
    errors = _validate(form, issues)
    if errors:
        raise Invalid(errors)
    events.check(
        case, "mediation_held", actor=actor, on=form.held_on, detail=outcome, on_field="held-day", label=label
    )
    held_on = form.held_on
    assert held_on is not None
    if (
        case.mediation.last_session_on is not None
        and case.mediation.live_sessions
        and held_on < case.mediation.last_session_on
    ):
        raise Invalid(
            {
                "held-day": f"The meeting is booked for {format_date(case.mediation.last_session_on)}: "
                "the mediation cannot have been held before it"
            }
        )
    summary = ", ".join(f"{i.label}: {OUTCOMES[given[i.issue].outcome].lower()}" for i in issues)

    async def writes(change: Change) -> None:
        fresh = change.case
        held = (
            await MediationSession.update({MediationSession.status: SessionStatus.held.value})
            .where(
                (MediationSession.disagreement == fresh.id)
                & (MediationSession.status == SessionStatus.booked.value)
                & (
                    MediationSession.starts_at
                    < dt.datetime.combine(held_on + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
                )
            )
            .returning(MediationSession.id)
        )
        if held:
            await SessionAttendee.update({SessionAttendee.status: SessionStatus.held.value}).where(
                SessionAttendee.session.is_in([h["id"] for h in held])
            )
        await IssueOutcome.insert(
            *[
                IssueOutcome(
                    disagreement=fresh.id,
                    issue=i.issue,
                    outcome=given[i.issue].outcome,
                    note=given[i.issue].note.strip(),
                    appealable=i.appealable,
                )
                for i in issues
            ]
        )
        await save_record(
            fresh.id,
            {
                MediationRecord.concluded_on: held_on,
                MediationRecord.outcome: outcome,
                MediationRecord.agreement_date: form.agreement_date if agreed else None,
                MediationRecord.agreement_text: form.agreement_text.strip() if agreed else "",
                MediationRecord.follow_up_order: form.order if agreed and form.agreed_due is None else "",
                MediationRecord.agreed_due: form.agreed_due if agreed else None,
            },
        )

    appealable = any(i.appealable for i in agreed)
    return await events.record(
        case,
        "mediation_held",
        actor=actor,
        on=held_on,
        detail=outcome,
        summary=f"Mediation held on {format_date(held_on)}: "
        f"{'agreement' if agreed else 'no agreement'} ({summary})",
        data={
            "agreement_date": form.agreement_date,
            "agreed_due": form.agreed_due,
            "order": form.order if appealable and form.agreed_due is None else "",
            "non_appealable_bodies": _bodies(case, agreed),
            "bodies": sorted(
                {"local_authority" for i in agreed if i.appealable} | set(_bodies(case, agreed))
            ),
        },
        writes=writes,
        on_field="held-day",
        label=label,
    )


def form_for_api(
    issues: list[Issue],
    *,
    held_on: dt.date,
    outcome: str,
    order: str | None,
    agreement_date: dt.date | None,
    agreement_text: str,
    agreed_due: dt.date | None,
    results: list[IssueResult] | None,
) -> OutcomeForm:
    """The API's `mediation_held`: without results, every issue takes the overall outcome."""
    if results is None:
        each = "agreed" if outcome == "agreement" else "not_agreed"
        results = [IssueResult(i.issue, each) for i in issues]
    return OutcomeForm(
        held_on=held_on,
        results=results,
        agreement_text=agreement_text
        or ("Agreement recorded through the API" if outcome == "agreement" else ""),
        agreement_date=agreement_date or (held_on if outcome == "agreement" else None),
        order=order or "",
        agreed_due=agreed_due,
        text_required=False,
    )


async def outcomes_for(case_id: int) -> list[dict[str, Any]]:
    return await IssueOutcome.select().where(IssueOutcome.disagreement == case_id).order_by(IssueOutcome.id)
