"""What the law says follows each event: which statutory clocks start, are met or no longer apply.

One function per event, run by `cases.events.record` inside the event's transaction, on the case as it
stood before the event (plus the event's own data). The clock service is the only writer they use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mediation import timekeeping
from mediation.cases import repository
from mediation.cases.events import Change
from mediation.clocks import service as clocks
from mediation.clocks.tables import ClockStatus
from mediation.rules.calendar import format_date, format_long_date
from mediation.rules.catalogue import versions
from mediation.rules.deadlines import compute_deadline
from mediation.rules.lifecycle import CERTIFICATE_RULES, allows

HELD_CLOCKS = ("mediation_held_by_la", "mediation_held_by_icb")
Effect = Callable[[Change], Awaitable[None]]


async def _start(
    change: Change,
    rule: str,
    start: object,
    started_by: str,
    *,
    actor: str | None = None,
    keep_running: bool = False,
    inputs: dict[str, object] | None = None,
) -> None:
    case = change.case
    await clocks.start_clock(
        case.id,
        rule,
        inputs or {"start": start},  # type: ignore[arg-type]
        started_on=start,  # type: ignore[arg-type]
        started_by=started_by,
        decision_date=case.decision_notice_sent,
        actor=actor,
        recorded_by=change.actor,
        keep_running=keep_running,
    )


async def _stop(
    change: Change, rule: str, reason: str, *, cancel: bool = False, actor: str | None = None
) -> None:
    await clocks.stop_clock(
        change.case.id,
        rule,
        on=change.on,
        reason=reason,
        status=ClockStatus.cancelled if cancel else ClockStatus.met,
        actor=actor,
        recorded_by=change.actor,
    )


async def adviser_contacted(change: Change) -> None:
    await _stop(change, "contact_mediation_adviser", "the family contacted the mediation adviser")


async def tell(change: Change, org_id: int | None, key: str, subject: str, body: str) -> None:
    """Email the organisation that must act next (its main address), in the event's transaction."""
    from mediation.notify.service import queue_email
    from mediation.organisations.tables import Organisation
    from mediation.settings import settings

    if org_id is None:
        return
    org = (
        await Organisation.select(Organisation.name, Organisation.email)
        .where(Organisation.id == org_id)
        .first()
    )
    if org is None or not org["email"]:
        return
    case = change.case
    await queue_email(
        to=org["email"],
        name=org["name"],
        subject=subject,
        dedupe_key=key,
        disagreement_id=case.id,
        body_text=f"{body}\n\nSee the case: {settings.base_url}/cases/{case.reference}/mediation",
        forbidden_names=[case.child_name],
    )


async def mediation_requested(change: Change) -> None:
    case = change.case
    await repository.update_case(case.id, {"wants_mediation": True}, timekeeping.now())
    said = "the family said it wants mediation"
    if case.health_only:
        # Health only: the LA has 3 working days to tell the ICB; the ICB's 30 days start then.
        await _start(change, "notify_health_commissioner", change.on, said, keep_running=True)
        duty = "tell the health commissioner (ICB) the mediation issues within 3 working days"
    else:
        await _start(change, "mediation_held_by_la", change.on, said, keep_running=True)
        duty = "arrange mediation within 30 days"
    await tell(
        change,
        case.local_authority_id,
        f"mediation-requested:{case.reference}",
        f"Mediation requested: case {case.reference}",
        f"The family in case {case.reference} said on {format_long_date(change.on)} that it wants mediation. "
        f"The local authority must now {duty}.",
    )


async def mediation_declined(change: Change) -> None:
    case = change.case
    await repository.update_case(case.id, {"wants_mediation": False}, timekeeping.now())
    # Telling the adviser you do not want mediation is contacting the adviser (Regs 33-34).
    await _stop(change, "contact_mediation_adviser", "the family told the mediation adviser")
    for rule in ("notify_health_commissioner", *HELD_CLOCKS):
        await _stop(change, rule, "the family does not want mediation", cancel=True)
    if case.certificate_required:
        # Regs 34: the adviser must issue a certificate within 3 working days.
        await _start(
            change,
            "certificate_after_decline",
            change.on,
            "the family told the adviser it does not want mediation",
        )


async def health_commissioner_notified(change: Change) -> None:
    case = change.case
    await _stop(change, "notify_health_commissioner", "the local authority told the health commissioner")
    await _start(
        change,
        "mediation_held_by_icb",
        change.on,
        "the local authority told the health commissioner the mediation issues",
        keep_running=True,
    )
    await tell(
        change,
        case.icb_id,
        f"icb-notified:{case.reference}",
        f"Mediation to arrange: case {case.reference}",
        f"The local authority has told you the health mediation issues in case {case.reference} "
        f"({format_long_date(change.on)}). You must arrange mediation within 30 days of that date.",
    )


async def mediation_cannot_be_arranged(change: Change) -> None:
    for rule in HELD_CLOCKS:
        # Telling the adviser is what the law asks of a body that cannot hold mediation in 30 days.
        await _stop(
            change, rule, "the arranging body said it cannot hold mediation within 30 days", cancel=True
        )
    case = change.case
    if case.certificate_required:
        await _start(
            change,
            "certificate_unable_to_arrange",
            change.on,
            "the arranging body said it cannot hold mediation within 30 days",
        )
    await tell(
        change,
        case.mediation_service_id,
        f"unable:{case.reference}:{change.on.isoformat()}",
        f"Mediation cannot be arranged in time: case {case.reference}",
        f"The arranging body says mediation in case {case.reference} cannot be held within 30 days "
        f"({change.data.get('reason', '')}). The mediation adviser must issue a certificate within 3 "
        "working days.",
    )


async def meeting_notice(change: Change) -> None:
    """The notice of the meeting's date and place goes with the booking: met at once, or late."""
    case = change.case
    day = change.data["meeting_day"]
    deadline = compute_deadline(
        "mediation_notice", {"mediation_date": day}, decision_date=case.decision_notice_sent
    )
    consented = bool(change.data.get("shorter_notice_consent"))
    reason = "notice of the date and place sent" + (
        ", with the family's consent to shorter notice" if change.on > deadline.due and consented else ""
    )
    await clocks.met_at_once(
        case.id,
        "mediation_notice",
        deadline,
        on=change.on,
        started_by="mediation meeting booked"
        if change.event != "session_moved"
        else "mediation meeting moved",
        reason=reason,
        actor=case.arranged_by or "local_authority",
        recorded_by=change.actor,
    )


async def mediation_held(change: Change) -> None:
    case = change.case
    for rule in HELD_CLOCKS:
        await _stop(change, rule, "mediation held")
    # Mediation took place, so the family has been through the adviser stage (Regs 33).
    await _stop(change, "contact_mediation_adviser", "mediation was held")
    if case.certificate_required:
        await _start(change, "certificate_after_mediation", change.on, "the mediation concluded")
    if change.detail == "agreement":
        await _agreement_clocks(change)


async def _agreement_clocks(change: Change) -> None:
    """Regs 42: what each body must do after a written agreement, and by when."""
    data, case = change.data, change.case
    start = data["agreement_date"]
    said = "written mediation agreement"
    bodies: list[str] = list(data.get("bodies") or ["local_authority"])
    if data.get("agreed_due") is not None:
        due = data["agreed_due"]
        citation = versions("agreement_override")[-1].citation
        for body in bodies:
            await clocks.start_agreed_clock(
                case.id,
                "agreement_override",
                due,
                [
                    f"The parties agreed in writing to do what was agreed by {format_date(due)}, instead "
                    f"of the timescales in reg 42(2) and (3) ({citation})",
                ],
                citation=citation,
                started_on=start,
                started_by="the parties agreed a different timescale in writing",
                actor=body,
                recorded_by=change.actor,
            )
    else:
        if data.get("order"):
            await _start(
                change,
                "agreement_appealable",
                start,
                said,
                actor="local_authority",
                inputs={"start": start, "order": data["order"]},
            )
        for body in data.get("non_appealable_bodies") or ():
            await _start(change, "agreement_non_appealable", start, said, actor=body)
    if case.health_only:
        # Regs 42(4): the LA was not a party, so the ICB must tell it of the agreement within 1 week.
        await _start(change, "agreement_icb_tells_la", start, said)


async def certificate_issued(change: Change) -> None:
    case = change.case
    for clock in case.running_clocks:
        if clock.rule in CERTIFICATE_RULES:
            await _stop(change, clock.rule, change.data.get("reason") or "certificate issued")
    if case.appeal_available and case.running_clock("appeal") is not None:  # not once the appeal is made
        await _start(
            change,
            "appeal",
            case.decision_notice_sent,
            "mediation certificate issued",
            inputs={"notice_sent": case.decision_notice_sent, "certificate_issued": change.on},
        )


def family_rule(decision: str) -> str:
    return "discrimination_claim" if decision == "disability_discrimination" else "appeal"


async def appeal_made(change: Change) -> None:
    await _stop(
        change, family_rule(change.case.decision), f"appeal sent to the tribunal on {format_date(change.on)}"
    )
    # The adviser step was for before an appeal; once one is sent, the family's clock for it ends.
    await _stop(change, "contact_mediation_adviser", "the family has appealed", cancel=True)


async def la_received_appeal(change: Change) -> None:
    await _start(
        change, "tribunal_la_response", change.on, "the local authority received the appeal from the tribunal"
    )


async def timetable_updated(change: Change) -> None:
    """The LA's response clock follows the timetable: receipt moved or removed, a directed date, sent."""
    case, data = change.case, change.data
    if data.get("received_cleared"):
        await _stop(change, "tribunal_la_response", "the date of receipt was removed", cancel=True)
    elif data.get("received_on") is not None and case.running_clock("tribunal_la_response") is not None:
        received = data["received_on"]
        await _start(change, "tribunal_la_response", received, "the local authority received the appeal")
    directed = data.get("response_directed")
    if directed is not None:
        await clocks.direct_due(
            change.case.id,
            "tribunal_la_response",
            directed,
            f"the tribunal directed the response by {format_date(directed)}; that date applies instead of "
            "the computed one",
            recorded_by=change.actor,
        )
    sent = change.data.get("response_sent_on")
    if sent is not None:
        await clocks.stop_clock(
            change.case.id,
            "tribunal_la_response",
            on=sent,
            reason=f"response sent on {format_date(sent)}",
            recorded_by=change.actor,
        )


async def decision_recorded(change: Change) -> None:
    if change.detail == "partly":
        return
    await _stop(change, "tribunal_la_response", "the tribunal has decided the appeal", cancel=True)
    if change.detail == "withdrawn":
        await clocks.cancel_all(
            change.case.id, on=change.on, reason="the appeal was withdrawn", recorded_by=change.actor
        )


async def order_made(change: Change) -> None:
    await _stop(change, "tribunal_la_response", "the tribunal has decided the appeal", cancel=True)
    for rule in change.data["rules"]:
        await _start(change, rule, change.on, change.data["started_by"], actor="local_authority")


async def unopposed(change: Change) -> None:
    await _stop(change, "tribunal_la_response", "the local authority will not oppose the appeal", cancel=True)
    for rule in change.data["rules"]:
        await _start(change, rule, change.on, "the local authority said it will not oppose the appeal")


async def recommendation_made(change: Change) -> None:
    data = change.data
    await _start(change, "recommendation_response", data["start"], data["started_by"], actor=data["body"])


async def duty_done(change: Change) -> None:
    """The body a clock is owed by says it is done (met), or that it no longer applies (cancelled)."""
    rule = change.detail
    assert rule is not None
    owners = [c.actor for c in change.case.running_clocks if c.rule == rule and c.owed_by_body]
    # Two bodies can owe the same rule (a recommendation to the ICB and one to the LA): stop the recorder's.
    from mediation.access import ROLE_FOR_ACTOR

    role = change.actor.role if change.actor is not None else None
    owner = next((a for a in owners if ROLE_FOR_ACTOR.get(a) == role), owners[0])
    met = change.data.get("met", True)
    await _stop(change, rule, change.data.get("reason") or "done", cancel=not met, actor=owner)
    for sibling in change.data.get("cancels") or ():
        await _stop(change, sibling, "no longer applies", cancel=True)


async def rerouted(change: Change) -> None:
    """The clocks that depend on routing: the appeal, and which body must hold mediation."""
    case, routing = change.case, change.data["routing"]
    notice = case.decision_notice_sent
    why = "disputed matters changed"
    if routing.appeal_available:
        await _start(change, "appeal", notice, why, inputs={"notice_sent": notice}, keep_running=True)
    else:
        await _stop(change, "appeal", "no appealable matter remains", cancel=True)
    if not case.wants_mediation:
        return
    said = "re-routed after the family asked for mediation"
    if routing.arranged_by == "health_commissioner":
        await _stop(change, "mediation_held_by_la", "now health only", cancel=True)
        await _start(change, "notify_health_commissioner", change.on, said, keep_running=True)
    else:
        await _stop(change, "notify_health_commissioner", "no longer health only", cancel=True)
        await _stop(change, "mediation_held_by_icb", "no longer health only", cancel=True)
        await _start(change, "mediation_held_by_la", change.on, said, keep_running=True)


async def closed(change: Change) -> None:
    """The family's time limits that have passed end with the case (their clocks no longer apply)."""
    for clock in change.case.running_clocks:
        await _stop(
            change, clock.rule, "the time limit passed and the case is closed", cancel=True, actor=clock.actor
        )


async def withdrawn(change: Change) -> None:
    await clocks.cancel_all(
        change.case.id, on=change.on, reason="the disagreement was withdrawn", recorded_by=change.actor
    )


EFFECTS: dict[str, Effect] = {
    "adviser_contacted": adviser_contacted,
    "mediation_requested": mediation_requested,
    "mediation_declined": mediation_declined,
    "health_commissioner_notified": health_commissioner_notified,
    "mediation_cannot_be_arranged": mediation_cannot_be_arranged,
    "session_booked": meeting_notice,
    "offer_accepted": meeting_notice,
    "session_moved": meeting_notice,
    "mediation_held": mediation_held,
    "certificate_issued": certificate_issued,
    "appeal_made": appeal_made,
    "la_received_appeal": la_received_appeal,
    "timetable_updated": timetable_updated,
    "decision_recorded": decision_recorded,
    "order_made": order_made,
    "unopposed": unopposed,
    "recommendation_made": recommendation_made,
    "duty_done": duty_done,
    "rerouted": rerouted,
    "withdrawn": withdrawn,
    "closed": closed,
}


async def follow_ups(change: Change) -> None:
    """Events the service records itself once another has happened: compliance, when the last duty of a
    decision or an agreement is met."""
    if change.event != "duty_done":
        return
    from mediation.cases.events import record

    case = await repository.load_case(change.case.id)
    if allows(case.state, "complied", case.facts):
        await record(
            case,
            "complied",
            actor=None,
            on=change.on,
            summary="Everything the decision or the agreement required has been done",
        )
