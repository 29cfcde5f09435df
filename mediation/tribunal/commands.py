"""Recording an appeal: checked against the last day to appeal and the certificate, flagged, never refused."""

from __future__ import annotations

import contextlib
import datetime as dt

from mediation.audit import service as audit
from mediation.audit.tables import AuditEvent
from mediation.cases.state import apply_event
from mediation.clocks.service import stop_clock
from mediation.clocks.tables import ClockStatus, StatutoryClock
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.rules.deadlines import compute_deadline
from mediation.rules.errors import IllegalTransition, RulesError
from mediation.rules.routing import route
from mediation.tribunal import law
from mediation.tribunal.checks import Checker, NoAppeal, TribunalInputError
from mediation.tribunal.clockwork import lock_case
from mediation.tribunal.schemas import AppealInput
from mediation.tribunal.tables import AppealMatter, TribunalAppeal
from mediation.tribunal.words import listed, long_day


def family_rule(decision: str) -> str:
    return "discrimination_claim" if decision == "disability_discrimination" else "appeal"


def appealable_matters(decision: str) -> tuple[str, ...]:
    return law.APPEAL_SECTIONS if decision == "plan_contents" else (decision,)


async def appeal_row(case_id: int) -> dict:
    row = (
        await TribunalAppeal.select()
        .where(TribunalAppeal.disagreement == case_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NoAppeal("No appeal has been recorded on this case yet")
    return row


async def certificate_recorded_on(case_id: int) -> dt.date | None:
    """A certificate counts as recorded when the case's log has an `issue_certificate` event."""
    row = (
        await AuditEvent.select(AuditEvent.at)
        .where((AuditEvent.disagreement_id == case_id) & (AuditEvent.action == "issue_certificate"))
        .order_by(AuditEvent.at, ascending=False)
        .first()
    )
    return None if row is None else row["at"].date()


async def last_day_to_appeal(case: dict, certificate_on: dt.date | None) -> dt.date | None:
    """The family's clock date, or later if a certificate gives one month from its issue (HESC r.20(1)(c))."""
    rule = family_rule(case["decision"])
    clock = (
        await StatutoryClock.select(StatutoryClock.due)
        .where((StatutoryClock.disagreement == case["id"]) & (StatutoryClock.rule == rule))
        .order_by(StatutoryClock.id, ascending=False)
        .first()
    )
    candidates = [clock["due"]] if clock else []
    notice = case["decision_notice_sent"]
    inputs: dict[str, dt.date] = {"start": notice}
    if rule == "appeal":
        inputs = {"notice_sent": notice}
        if certificate_on is not None and certificate_on >= notice:
            inputs["certificate_issued"] = certificate_on
    # A decision before the encoded rule's version cannot be computed: the clock date (if any) stands.
    with contextlib.suppress(RulesError):
        candidates.append(compute_deadline(rule, inputs, decision_date=notice).due)
    return max(candidates, default=None)


def _check_appeal(case: dict, data: AppealInput, today: dt.date) -> Checker:
    check = Checker(today)
    notice = case["decision_notice_sent"]
    check.past("lodged_on", data.lodged_on, "the date the appeal was sent")
    check.after("lodged_on", data.lodged_on, "the date the appeal was sent", notice, "the decision notice")
    check.past("registered_on", data.registered_on, "the date the tribunal registered the appeal")
    check.after("registered_on", data.registered_on, "the registration date", data.lodged_on, "the appeal")
    check.past("certificate_issued_on", data.certificate_issued_on, "the certificate date")
    check.after(
        "certificate_issued_on", data.certificate_issued_on, "the certificate date", notice, "the notice"
    )
    allowed = appealable_matters(case["decision"])
    if not data.matters:
        check.add("matters", "Select what the appeal challenges")
    elif any(m not in allowed for m in data.matters):
        check.add("matters", "Select only matters that can be appealed on this case")
    wanted = data.recommendations_requested
    if any(s not in law.RECOMMENDATION_SECTIONS for s in wanted):
        check.add("recommendations_requested", "Select only health or social care sections (C, D, G, H1, H2)")
    elif wanted and case["decision"] in law.NO_RECOMMENDATIONS:
        check.add(
            "recommendations_requested",
            "The tribunal cannot make health or social care recommendations on this kind of appeal",
        )
    check.reference(data.tribunal_reference)
    return check


async def record_appeal(case: dict, data: AppealInput, *, actor: CurrentUser) -> list[str]:
    """Record the appeal; a late or certificate-less appeal is flagged with the reason, never refused."""
    _check_appeal(case, data, dt.date.today()).raise_if_any()
    matters = [m for m in appealable_matters(case["decision"]) if m in data.matters]
    certificate_on = data.certificate_issued_on or await certificate_recorded_on(case["id"])
    due = await last_day_to_appeal(case, certificate_on)
    sections = matters if case["decision"] == "plan_contents" else []
    needs_certificate = route(case["decision"], sections).certificate_required
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
    now = dt.datetime.now(dt.UTC)
    labels = [law.MATTER_LABELS[m] for m in matters]
    summary = (
        f"Appeal to the First-tier Tribunal (SEND) sent on {long_day(data.lodged_on)}, about {listed(labels)}"
    )
    async with transaction():
        await lock_case(case["id"])
        if await TribunalAppeal.exists().where(TribunalAppeal.disagreement == case["id"]):
            raise TribunalInputError({"appeal": "An appeal is already recorded on this case"})
        try:
            await apply_event(case, "appeal", actor=actor)
        except IllegalTransition as exc:
            raise TribunalInputError({"appeal": f"This appeal cannot be recorded: {exc.reason}"}) from exc
        rows = await TribunalAppeal.insert(
            TribunalAppeal(
                disagreement=case["id"],
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
        await stop_clock(
            case["id"],
            family_rule(case["decision"]),
            on=data.lodged_on,
            reason=f"appeal sent to the tribunal on {long_day(data.lodged_on)}",
            status=ClockStatus.met,
            actor=actor,
        )
        await audit.record(
            actor=actor,
            action="record_appeal",
            entity="tribunal_appeal",
            entity_id=case["reference"],
            summary=summary + (". Flagged: " + " ".join(flags) if flags else ""),
            after={"lodged_on": data.lodged_on, "matters": matters, "late": late, "no_certificate": missing},
            disagreement_id=case["id"],
        )
    return flags
