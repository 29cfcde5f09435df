"""The case as the family reads it (issue 15, "the family's view"): their own next date first, then what
they need to do next in plain words, who handles the case by name, the mediation adviser's contact details,
and the tribunal's appeal route while an appeal is open to them. The law behind each date stays with the
date, for the "The law behind this date" details; staff read the case through `service.case_detail`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from mediation import timekeeping
from mediation.access import visible_cases
from mediation.cases.model import CaseClock, Disagreement
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.identity import CurrentUser
from mediation.organisations.tables import ContactPurpose, OrganisationContact
from mediation.rules.wording import (
    FAMILY_DECISIONS,
    FAMILY_SECTIONS,
    family_citation,
    family_state,
    family_title,
    who_handles,
)
from mediation.web.templating import day_date

# GOV.UK's own pages on appealing to the SEND tribunal (the online service and the forms start there).
APPEAL_GUIDE = "https://www.gov.uk/appeal-ehc-plan-decision"
HOW_TO_APPEAL = "https://www.gov.uk/appeal-ehc-plan-decision/how-to-appeal"
FINISHED_STATES = ("withdrawn", "closed")
DATE_STATUS = {
    "running": "Still to do",
    "met": "Done",
    "late": "Done late",
    "breached": "Late",
    "cancelled": "No longer needed",
}


class FamilyDate(msgspec.Struct):
    rule: str
    title: str
    due: dt.date
    yours: bool  # the family must act on it
    status: str  # running, met, late, breached, cancelled
    status_label: str
    law: str
    steps: list[str]


class AdviserContact(msgspec.Struct):
    name: str
    phone: str
    email: str


class AppealRoute(msgspec.Struct):
    form: str  # SEND35, or SEND35a for a refusal to assess
    guide: str
    how_to: str


class FamilyCase(msgspec.Struct):
    reference: str
    child_name: str
    state_label: str
    council: str
    icb: str | None
    your_next: FamilyDate | None  # the family's own nearest date, never a body's
    next_steps: list[str]
    handled_by: list[str]
    adviser: AdviserContact | None
    appeal_route: AppealRoute | None
    dates: list[FamilyDate]
    decision: str
    sections: list[str]


def family_date(
    rule: str,
    due: dt.date,
    *,
    actor: str,
    status: str,
    citation: str,
    explanation: Sequence[str],
    council: str | None,
    icb: str | None = None,
) -> FamilyDate:
    return FamilyDate(
        rule=rule,
        title=family_title(rule, council=council, icb=icb),
        due=due,
        yours=actor == "family",
        status=status,
        status_label=DATE_STATUS.get(status, status),
        law=family_citation(citation),
        steps=[family_citation(step) for step in explanation],
    )  # fmt: skip


def _date(case: Disagreement, clock: CaseClock, today: dt.date) -> FamilyDate:
    return family_date(
        clock.rule, clock.due, actor=clock.actor, status=clock.status_on(today), citation=clock.citation,
        explanation=clock.explanation, council=case.local_authority_name, icb=case.icb_name,
    )  # fmt: skip


async def adviser_for(council_id: int) -> AdviserContact | None:
    """The mediation adviser the council names for families (its contact details, as admins edit them)."""
    row = (
        await OrganisationContact.select(
            OrganisationContact.name, OrganisationContact.phone, OrganisationContact.email
        )
        .where(
            (OrganisationContact.organisation == council_id)
            & (OrganisationContact.purpose == ContactPurpose.mediation_adviser.value)
        )
        .first()
    )
    if row is None or not row["name"]:
        return None
    return AdviserContact(name=row["name"], phone=row["phone"], email=row["email"])


def _arranger(case: Disagreement) -> str:
    return (case.icb_name or "the NHS") if case.health_only else case.local_authority_name


def appeal_open(case: Disagreement, today: dt.date) -> CaseClock | None:
    """The family's running appeal clock, while they may still appeal and have not."""
    clock = case.running_clock("appeal", "family")
    if case.appeal is not None or clock is None or clock.due < today or not case.appeal_available:
        return None
    return clock


def next_steps(case: Disagreement, today: dt.date) -> list[str]:
    """What the family needs to do next, the most pressing first, in plain words."""
    if case.state in FINISHED_STATES:
        return ["This case is closed. You do not need to do anything."]
    steps: list[str] = []
    adviser = case.running_clock("contact_mediation_adviser", "family")
    if adviser is not None and case.mediation.adviser_contacted_on is None:
        steps += [
            f"Contact the mediation adviser by {day_date(adviser.due)}.",
            "They will tell you about mediation. Then you can say if you want it.",
            "You need their certificate before you can appeal.",
        ]
    held = case.running_clock("mediation_held_by_la") or case.running_clock("mediation_held_by_icb")
    if case.state == "session_arranged":
        on = case.mediation.last_session_on
        steps.append(
            f"Go to your mediation meeting on {day_date(on)}. The mediation page has the time and place."
            if on
            else "Go to your mediation meeting. The mediation page has the date and place."
        )
    elif held is not None:
        steps += [
            f"{_arranger(case)} will set up your mediation meeting. It must be held by {day_date(held.due)}.",
            "They will contact you about a date. You do not need to do anything until then.",
        ]
    appeal = appeal_open(case, today)
    if appeal is not None:
        steps.append(f"If you want to appeal, send your appeal to the tribunal by {day_date(appeal.due)}.")
    if case.appeal is not None and case.state == "appealed":
        steps += [
            "The tribunal will write to you about your appeal.",
            f"{case.local_authority_name} must send the tribunal its answer. It must send you a copy.",
        ]
    if case.state in ("decided", "agreement", "complied") and any(
        c.running and c.owed_by_body for c in case.clocks
    ):
        steps.append(f"{case.local_authority_name} must now do what was decided. The dates are below.")
    if not steps:
        steps.append("You do not need to do anything now.")
    return steps


async def family_case(case: Disagreement) -> FamilyCase:
    today = timekeeping.today()
    dates = [_date(case, c, today) for c in case.clocks]
    dates.sort(key=lambda d: (d.status != "running", not d.yours, d.due))
    mine = case.next_family_due()
    appeal = appeal_open(case, today)
    return FamilyCase(
        reference=case.reference,
        child_name=case.child_name,
        state_label=family_state(case.state),
        council=case.local_authority_name,
        icb=case.icb_name,
        your_next=_date(case, mine, today) if mine is not None else None,
        next_steps=next_steps(case, today),
        handled_by=who_handles(
            case.routing,
            council=case.local_authority_name,
            icb=case.icb_name,
            appealed=case.appeal is not None,
        ),
        adviser=await adviser_for(case.local_authority_id),
        appeal_route=AppealRoute(
            form="SEND35a" if case.decision == "refuse_assessment" else "SEND35",
            guide=APPEAL_GUIDE,
            how_to=HOW_TO_APPEAL,
        )
        if appeal is not None
        else None,
        dates=dates,
        decision=FAMILY_DECISIONS.get(case.decision, case.decision),
        sections=[FAMILY_SECTIONS.get(s, s) for s in case.sections],
    )


class FamilyCaseRow(msgspec.Struct):
    """One of the family's cases on their home page."""

    reference: str
    child_name: str
    decision: str
    state_label: str
    next_title: str | None  # the family's own nearest date, never a body's
    next_due: dt.date | None


async def family_cases(user: CurrentUser, *, limit: int = 50) -> list[FamilyCaseRow]:
    """The family's cases, newest first, each with the family's own next date: two queries in all."""
    rows = (
        await DisagreementRow.select(
            DisagreementRow.id,
            DisagreementRow.reference,
            DisagreementRow.child_name,
            DisagreementRow.decision,
            DisagreementRow.state,
            DisagreementRow.local_authority.name.as_alias("council"),
        )
        .where(visible_cases(user))
        .order_by(DisagreementRow.id, ascending=False)
        .limit(limit)
    )
    ids = [r["id"] for r in rows]
    clocks = (
        await StatutoryClock.select(StatutoryClock.disagreement, StatutoryClock.rule, StatutoryClock.due)
        .where(
            StatutoryClock.disagreement.is_in(ids)
            & (StatutoryClock.actor == "family")
            & (StatutoryClock.status == ClockStatus.running.value)
        )
        .order_by(StatutoryClock.due)
        if ids
        else []
    )
    nearest: dict[int, dict[str, object]] = {}
    for clock in clocks:
        nearest.setdefault(clock["disagreement"], clock)
    found = []
    for r in rows:
        mine = nearest.get(r["id"])
        found.append(
            FamilyCaseRow(
                reference=r["reference"],
                child_name=r["child_name"],
                decision=FAMILY_DECISIONS.get(r["decision"], r["decision"]),
                state_label=family_state(r["state"]),
                next_title=family_title(str(mine["rule"]), council=r["council"]) if mine else None,
                next_due=mine["due"] if mine else None,  # type: ignore[arg-type]
            )
        )
    return found
