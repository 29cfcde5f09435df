"""Recording an appeal (`appeal_made`): checked against the last day to appeal and the certificate,
flagged, never refused."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from mediation import query_building, timekeeping
from mediation.cases import events, repository
from mediation.cases.effects import family_rule
from mediation.cases.events import Change
from mediation.cases.model import AppealProgress, Disagreement
from mediation.certificates.service import latest_certificate_on
from mediation.identity import CurrentUser
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import RulesError
from mediation.rules.routing import route
from mediation.tribunal import law
from mediation.tribunal.checks import Checker
from mediation.tribunal.errors import NoAppeal
from mediation.tribunal.schemas import AppealInput
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from mediation.tribunal.words import listed, long_day


def appealable_matters(decision: str) -> tuple[str, ...]:
    return law.APPEAL_SECTIONS if decision == "plan_contents" else (decision,)


def matters_in_dispute(case: Disagreement) -> list[str]:
    """The appealable matters of this case: its disputed B, F and I, or the decision itself."""
    if case.decision == "plan_contents":
        return [s for s in case.sections if s in law.APPEAL_SECTIONS]
    return [case.decision]


async def appeal_row(case_id: int) -> dict[str, Any]:
    row = (
        await TribunalAppeal.select()
        .where(TribunalAppeal.disagreement == case_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NoAppeal("No appeal has been recorded on this case yet")
    return row


async def last_day_to_appeal(case: Disagreement, certificate_on: dt.date | None) -> dt.date | None:
    """The family's clock date, or later if a certificate gives one month from its issue (HESC r.20(1)(c))."""
    rule = family_rule(case.decision)
    clock = case.latest_clock(rule)
    candidates = [clock.due] if clock else []
    notice = case.decision_notice_sent
    inputs: dict[str, dt.date] = {"start": notice}
    if rule == "appeal":
        inputs = {"notice_sent": notice}
        if certificate_on is not None and certificate_on >= notice:
            inputs["certificate_issued"] = certificate_on
    # A decision before the encoded rule's version cannot be computed: the clock date (if any) stands.
    with contextlib.suppress(RulesError):
        candidates.append(compute_deadline(rule, inputs, decision_date=notice).due)
    return max(candidates, default=None)


def _check_appeal(case: Disagreement, data: AppealInput, today: dt.date) -> Checker:
    check = Checker(today)
    notice = case.decision_notice_sent
    check.past("registered_on", data.registered_on, "the date the tribunal registered the appeal")
    check.after("registered_on", data.registered_on, "the registration date", data.lodged_on, "the appeal")
    check.past("certificate_issued_on", data.certificate_issued_on, "the certificate date")
    check.after(
        "certificate_issued_on", data.certificate_issued_on, "the certificate date", notice, "the notice"
    )
    allowed = appealable_matters(case.decision)
    if not data.matters:
        check.add("matters", "Select what the appeal challenges")
    elif any(m not in allowed for m in data.matters):
        check.add("matters", "Select only matters that can be appealed on this case")
    wanted = data.recommendations_requested
    if any(s not in law.RECOMMENDATION_SECTIONS for s in wanted):
        check.add("recommendations_requested", "Select only health or social care sections (C, D, G, H1, H2)")
    elif wanted and case.decision in law.NO_RECOMMENDATIONS:
        check.add(
            "recommendations_requested",
            "The tribunal cannot make health or social care recommendations on this kind of appeal",
        )
    check.reference(data.tribunal_reference)
    return check


async def record_appeal(case: Disagreement, data: AppealInput, *, actor: CurrentUser) -> Disagreement:
    """`appeal_made`: a late or certificate-less appeal is flagged with the reason, never refused."""
    label = "the date the appeal was sent"
    events.check(case, "appeal_made", actor=actor, on=data.lodged_on, on_field="lodged_on-day", label=label)
    _check_appeal(case, data, timekeeping.today()).raise_if_any()
    matters = [m for m in appealable_matters(case.decision) if m in data.matters]
    certificate_on = data.certificate_issued_on or await latest_certificate_on(case)
    due = await last_day_to_appeal(case, certificate_on)
    sections = matters if case.decision == "plan_contents" else []
    needs_certificate = route(case.decision, sections).certificate_required
    flags = []
    late = due is not None and data.lodged_on > due
    if late:
        assert due is not None
        flags.append(
            f"Sent on {long_day(data.lodged_on)}, after the last day to appeal ({long_day(due)}). "
            "The tribunal can still accept a late appeal if it agrees to extend the time limit: "
            "the appeal should ask for this and explain the delay."
        )
    missing = needs_certificate and certificate_on is None
    if missing:
        flags.append(
            "A mediation certificate is needed before appealing about these matters (Children and Families "
            "Act 2014 s.55) and none is recorded. The tribunal may still register the appeal; send it the "
            "certificate as soon as you have it."
        )
    labels = [law.MATTER_LABELS[m] for m in matters]
    summary = (
        f"Appeal to the First-tier Tribunal (SEND) sent on {long_day(data.lodged_on)}, about {listed(labels)}"
    )

    async def writes(change: Change) -> None:
        now = timekeeping.now()
        rows = await TribunalAppeal.insert(
            TribunalAppeal(
                disagreement=change.case.id,
                tribunal_reference=data.tribunal_reference.strip(),
                lodged_on=data.lodged_on,
                registered_on=data.registered_on,
                recommendations_requested=",".join(
                    s for s in law.RECOMMENDATION_SECTIONS if s in data.recommendations_requested
                ),
                certificate_issued_on=data.certificate_issued_on,
                appeal_due=due,
                late=late,
                certificate_missing=missing,
                flags=flags,
                recorded_by=actor.id,
                created_at=now,
                updated_at=now,
            )
        ).returning(TribunalAppeal.id)
        await AppealMatter.insert(*[AppealMatter(appeal=rows[0]["id"], matter=m) for m in matters])

    return await events.record(
        case,
        "appeal_made",
        actor=actor,
        on=data.lodged_on,
        summary=summary + (". Flagged: " + " ".join(flags) if flags else ""),
        data={"matters": matters, "late": late, "no_certificate": missing},
        writes=writes,
        on_field="lodged_on-day",
        label=label,
    )


def _case_appeal_row(case_id: int) -> Any:
    return query_building.built_once(
        "case appeal", TribunalAppeal.select().where(TribunalAppeal.disagreement == case_id).first()
    )


def _case_appeal(row: dict[str, Any] | None) -> AppealProgress | None:
    """The appeal the case aggregate carries (cases/repository.py), None if there is none."""
    if row is None:
        return None
    return AppealProgress(
        id=row["id"],
        lodged_on=row["lodged_on"],
        la_received_on=row["la_received_on"],
        response_sent_on=row["response_sent_on"],
        hearing_on=row["hearing_on"],
        decision_on=row["decision_on"],
        unopposed_on=row["unopposed_on"],
    )


# Every loaded case carries its appeal (cases/repository.py: add_appeal_facts).
repository.add_appeal_facts("tribunal", _case_appeal_row, _case_appeal)
