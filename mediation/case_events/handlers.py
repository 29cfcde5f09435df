"""Each event of `POST /api/v1/cases/{reference}/events`, handed to the use case the pages call, so an
event recorded through the API has exactly the effects of the same event recorded on a page."""

from __future__ import annotations

import datetime as dt

from mediation import timekeeping
from mediation.advice import service as advice
from mediation.cases import events
from mediation.cases import schemas as s
from mediation.cases.commands import close_case, withdraw_case
from mediation.cases.contact_change import change_contact
from mediation.cases.model import Disagreement
from mediation.cases.work import add_note, assign_case
from mediation.certificates.service import issue_certificate
from mediation.identity import CurrentUser
from mediation.outcomes.service import form_for_api, issues_of, record_outcome
from mediation.rules.calendar import format_date
from mediation.rules.lifecycle import CERTIFICATE_RULES
from mediation.tribunal import law
from mediation.tribunal.commands import matters_in_dispute, record_appeal
from mediation.tribunal.decisions import record_unopposed
from mediation.tribunal.duties import open_duty_for_rule, record_action, record_order
from mediation.tribunal.schemas import ActionInput, AppealInput, OrderInput, UnopposedInput
from mediation.tribunal.timetable import record_receipt, record_response_sent


async def apply(case: Disagreement, event: s.EventIn, *, actor: CurrentUser) -> Disagreement:
    on = event.on or timekeeping.today()
    match event:
        case s.AdviserContacted():
            return await advice.record_contact(case, on=on, actor=actor)
        case s.MediationDeclined():
            return await advice.record_decline(case, on=on, actor=actor)
        case s.MediationRequested():
            return await advice.record_request(case, on=on, actor=actor)
        case s.HealthCommissionerNotified():
            return await advice.notify_icb(case, notified_on=on, actor=actor)
        case s.MediationCannotBeArranged():
            reason = event.reason.strip() or "the arranging body gave no reason"
            return await advice.unable_to_arrange(case, told_on=on, reason=reason, actor=actor)
        case s.MediationHeld():
            form = form_for_api(
                await issues_of(case),
                held_on=on,
                outcome=event.outcome,
                order=event.order,
                agreement_date=event.agreement_date,
                agreement_text=event.agreement_text,
                agreed_due=event.agreed_due,
                results=event.results,  # type: ignore[arg-type]
            )
            return await record_outcome(case, form, actor=actor)
        case s.CertificateIssued():
            return await issue_certificate(case, on, actor=actor, number=event.number)
        case s.AppealMade():
            matters = event.matters if event.matters is not None else matters_in_dispute(case)
            data = AppealInput(lodged_on=on, matters=matters, tribunal_reference=event.tribunal_reference)
            return await record_appeal(case, data, actor=actor)
        case s.LaReceivedAppeal():
            return await record_receipt(case, on, actor=actor)
        case s.OrderMade():
            return await record_order(
                case, OrderInput(order_type=event.order, made_on=on, sent_on=event.sent_on), actor=actor
            )
        case s.Unopposed():
            return await record_unopposed(
                case, UnopposedInput(notified_on=on, order=event.order), actor=actor
            )
        case s.DutyDone():
            return await duty_done(case, event.rule, on, actor=actor, action=event.action, note=event.note)
        case s.Withdrawn():
            return await withdraw_case(case, event.reason, actor=actor, on=on)
        case s.Closed():
            return await close_case(case, event.reason, actor=actor, on=on)
        case s.Assigned():
            return await assign_case(case, event.officer, actor=actor)
        case s.NoteAdded():
            return await add_note(case, event.text, actor=actor)
        case s.ContactChanged():
            values = {
                "contact_by": event.preferred_contact,
                "contact_email": event.email,
                "contact_phone": event.phone,
                "postal_address": event.postal_address,
                "large_print": event.large_print,
            }
            return await change_contact(case, values, actor=actor)
    raise AssertionError(f"no handler for {type(event).__name__}")


async def duty_done(
    case: Disagreement, rule: str, on: dt.date, *, actor: CurrentUser, action: str | None, note: str
) -> Disagreement:
    """`duty_done`: the body a running clock is owed by says it is done. Where the law gives the duty its
    own event (telling the ICB, issuing a certificate, the tribunal's duties), that event is recorded, so
    everything that follows it follows here too."""
    events.check(case, "duty_done", actor=actor, on=on, detail=rule)
    if rule == "notify_health_commissioner":
        return await advice.notify_icb(case, notified_on=on, actor=actor)
    if rule in CERTIFICATE_RULES:
        return await issue_certificate(case, on, actor=actor)
    if rule == "tribunal_la_response":
        return await record_response_sent(case, on, actor=actor)
    duty = await open_duty_for_rule(case, rule, actor)
    if duty is not None:
        chosen = action or law.actions_for(rule)[0]
        return await record_action(case, duty, ActionInput(action=chosen, done_on=on, note=note), actor=actor)
    clock = case.running_clock(rule)
    title = clock.title if clock else rule
    return await events.record(
        case,
        "duty_done",
        actor=actor,
        on=on,
        detail=rule,
        summary=f"{title}: done on {format_date(on)}" + (f" ({note.strip()})" if note.strip() else ""),
        data={"reason": note.strip() or "done"},
    )
