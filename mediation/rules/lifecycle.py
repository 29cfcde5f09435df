"""A disagreement's states and every event that can happen to it, as one transition table.

Every change to a case is an event in this table, whether it moves the state (`mediation_requested`) or
not (`health_commissioner_notified`, `duty_done`). The service asks `transition` before it changes
anything, so a refusal is always this table's own sentence. Guards read `CaseFacts`: what routing decided
and what has already happened (which clocks run, whether the ICB has been told, live sessions). A late
appeal, or one made without a certificate that routing says is required, is flagged elsewhere, never
refused here: the tribunal decides.

Event names are the public vocabulary of `POST /api/v1/cases/{reference}/events` (api-contract.md),
plus the events the service's own pages record (sessions, timetable, re-routing, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mediation.rules.catalogue import BODIES
from mediation.rules.errors import IllegalTransition
from mediation.rules.routing import RoutingDecision

STATE_LABELS: dict[str, str] = {
    "lodged": "Disagreement lodged",
    "mediation_advice": "Mediation advice given",
    "mediation_requested": "Mediation requested",
    "mediation_declined": "Mediation declined",
    "session_arranged": "Mediation meeting arranged",
    "agreement": "Mediation agreement reached",
    "no_agreement": "No agreement at mediation",
    "certificate_issued": "Mediation certificate issued",
    "appealed": "Appealed to the tribunal",
    "decided": "Tribunal decided",
    "complied": "Order or agreement complied with",
    "withdrawn": "Withdrawn",
    "closed": "Closed",
}
STATES: tuple[str, ...] = tuple(STATE_LABELS)
INITIAL_STATE = "lodged"
TERMINAL_STATES = frozenset({"closed"})

# Clocks whose duty is a tribunal decision's or a mediation agreement's: complied once all are met.
COMPLIANCE_PREFIXES = ("order_", "unopposed_", "agreement_")
CERTIFICATE_RULES = frozenset(
    {"certificate_after_decline", "certificate_unable_to_arrange", "certificate_after_mediation"}
)


@dataclass(frozen=True)
class CaseFacts:
    """What routing decided about the case and what has happened so far; the guards read these."""

    arranged_by: str | None = "local_authority"
    certificate_required: bool = True
    appeal_available: bool = True
    adviser_contacted: bool = False
    commissioner_notified: bool = False
    cannot_arrange_recorded: bool = False
    has_mediation_service: bool = False
    live_sessions: int = 0
    la_received_appeal: bool = False
    appeal_recorded: bool = False
    la_response_sent: bool = False
    send_appeal: bool = True  # a SEND appeal, not a disability discrimination claim (reg 45 applies)
    # A family's own time limit still open (to appeal, to contact an adviser): a case is not closed on it.
    family_window_open: bool = False
    # (rule, who must act) of every running clock, and the rules of clocks met (on time or late).
    running: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    met: frozenset[str] = field(default_factory=frozenset)
    # A body on the case (its LA, ICB or mediation service) has ended and a successor has taken over.
    succession_due: bool = False

    @classmethod
    def from_routing(cls, routing: RoutingDecision, **happened: Any) -> CaseFacts:
        return cls(routing.arranged_by, routing.certificate_required, routing.appeal_available, **happened)

    def runs(self, rule: str) -> bool:
        return any(r == rule for r, _ in self.running)

    def body_duty_runs(self, rule: str) -> bool:
        return any(r == rule and actor in BODIES for r, actor in self.running)


@dataclass(frozen=True)
class Guard:
    name: str
    allows: Callable[[CaseFacts, str | None], bool]
    refusal: str  # may name the event's detail as {detail}


def _compliance_done(f: CaseFacts) -> bool:
    running = any(rule.startswith(COMPLIANCE_PREFIXES) for rule, _ in f.running)
    return not running and any(rule.startswith(COMPLIANCE_PREFIXES) for rule in f.met)


GUARDS: dict[str, Guard] = {
    g.name: g
    for g in (
        Guard(
            "mediation_applies",
            lambda f, _: f.arranged_by is not None,
            "mediation does not apply to a disability discrimination claim (Equality Act 2010 Sch 17)",
        ),
        Guard(
            "certificate_applies",
            lambda f, _: f.certificate_required,
            "no mediation certificate is needed before an appeal on these matters (CFA s.55)",
        ),
        Guard(
            "appeal_available",
            lambda f, _: f.appeal_available,
            "no appeal to the tribunal lies on these matters (CFA s.51)",
        ),
        Guard(
            "health_only",
            lambda f, _: f.arranged_by == "health_commissioner",
            "only a health-only disagreement is passed to the health commissioner",
        ),
        Guard(
            "adviser_not_yet_contacted",
            lambda f, _: not f.adviser_contacted,
            "the family's contact with the mediation adviser is already recorded",
        ),
        Guard(
            "commissioner_not_yet_notified",
            lambda f, _: not f.commissioner_notified,
            "the health commissioner has already been told",
        ),
        Guard(
            "arranging_body_told",
            lambda f, _: f.arranged_by != "health_commissioner" or f.commissioner_notified,
            "the local authority has not yet told the health commissioner, who arranges it",
        ),
        Guard(
            "cannot_arrange_not_yet_recorded",
            lambda f, _: not f.cannot_arrange_recorded,
            "it is already recorded that mediation cannot be held within 30 days",
        ),
        Guard(
            "has_mediation_service",
            lambda f, _: f.has_mediation_service,
            "no independent mediation service is assigned to the case yet",
        ),
        Guard(
            "certificate_due",
            lambda f, _: any(f.runs(rule) for rule in CERTIFICATE_RULES),
            "no mediation certificate is due: the family has not declined mediation, nobody has said it "
            "cannot be arranged, and no mediation has concluded",
        ),
        Guard(
            "one_live_session",
            lambda f, _: f.live_sessions == 1,
            "another meeting is still booked",
        ),
        Guard(
            "several_live_sessions",
            lambda f, _: f.live_sessions > 1,
            "no meeting is booked",
        ),
        Guard(
            "a_live_session",
            lambda f, _: f.live_sessions > 0,
            "no meeting is booked",
        ),
        Guard(
            "appeal_not_yet_received",
            lambda f, _: not f.la_received_appeal,
            "the local authority's receipt of the appeal is already recorded",
        ),
        Guard(
            "body_duty_runs",
            lambda f, rule: rule is not None and f.body_duty_runs(rule),
            "no clock {detail} is running on this case for a body to meet",
        ),
        Guard(
            "compliance_done",
            lambda f, _: _compliance_done(f),
            "a duty from the tribunal's decision or the mediation agreement is still running",
        ),
        Guard(
            "nothing_owed",
            lambda f, _: not any(actor in BODIES for _, actor in f.running) and not f.family_window_open,
            "a duty is still running, or the family's time to act has not ended: record it done, wait, or "
            "withdraw the case",
        ),
        Guard(
            "not_yet_appealed",
            lambda f, _: not f.appeal_recorded,
            "an appeal is already recorded",
        ),
        Guard(
            "succession_due",
            lambda f, _: f.succession_due,
            "no body on this case has ended with a successor taking over",
        ),
        Guard(
            "reg_45_applies",
            lambda f, _: f.send_appeal and not f.la_response_sent,
            "regulation 45 applies only to a SEND appeal the local authority has not yet responded to",
        ),
    )
}


@dataclass(frozen=True)
class Transition:
    event: str
    sources: frozenset[str]
    target: str | None  # None: the event happens, the state stays
    guards: tuple[str, ...]
    action: str  # completes "cannot ..."
    needs: str  # what must happen first, for the refusal message
    variant: str | None = None  # this row applies only to events with this detail (an outcome)


_PRE_APPEAL = frozenset(
    {
        "lodged",
        "mediation_advice",
        "mediation_requested",
        "mediation_declined",
        "session_arranged",
        "agreement",
        "no_agreement",
        "certificate_issued",
    }
)
_BEFORE_MEDIATION = frozenset({"lodged", "mediation_advice", "mediation_requested", "session_arranged"})
_BOOKABLE = frozenset({"mediation_requested", "session_arranged"})
_OPEN = frozenset(STATES) - {"withdrawn", "closed"}
_NOT_CLOSED = frozenset(STATES) - TERMINAL_STATES


def _t(
    event: str,
    sources: set[str] | frozenset[str],
    target: str | None,
    guards: tuple[str, ...],
    action: str,
    needs: str,
    variant: str | None = None,
) -> Transition:
    return Transition(event, frozenset(sources), target, guards, action, needs, variant)


MEDIATION = ("mediation_applies",)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    # --- The adviser stage (Regs 33-35) ---
    _t("adviser_contacted", {"lodged"}, "mediation_advice", (*MEDIATION, "adviser_not_yet_contacted"),
       "record the family's contact with the mediation adviser",
       "it is recorded before mediation is held or declined"),
    _t("adviser_contacted", {"mediation_requested", "session_arranged"}, None,
       (*MEDIATION, "adviser_not_yet_contacted"),
       "record the family's contact with the mediation adviser",
       "it is recorded before mediation is held or declined"),
    _t("mediation_requested", {"lodged", "mediation_advice"}, "mediation_requested", MEDIATION,
       "record that the family wants mediation",
       "mediation can be asked for only before it is arranged or declined"),
    _t("mediation_declined", {"lodged", "mediation_advice", "mediation_requested"}, "mediation_declined",
       MEDIATION, "record that the family does not want mediation",
       "mediation can be declined only before a meeting is booked (cancel the meeting first)"),
    _t("health_commissioner_notified", {"mediation_requested"}, None,
       ("health_only", "commissioner_not_yet_notified"),
       "record that the health commissioner was told",
       "the family must first ask for mediation"),
    _t("mediation_cannot_be_arranged", _BOOKABLE, None,
       ("arranging_body_told", "cannot_arrange_not_yet_recorded"),
       "record that mediation cannot be held within 30 days",
       "the family must first ask for mediation, and it must not have been held"),
    # --- Arranging the meeting ---
    _t("service_assigned", _BEFORE_MEDIATION, None, MEDIATION,
       "assign a mediation service", "it is assigned before mediation is held"),
    _t("mediator_assigned", _BEFORE_MEDIATION, None, ("has_mediation_service",),
       "assign a mediator", "it is assigned before mediation is held"),
    _t("session_offered", _BOOKABLE, None, ("arranging_body_told", "has_mediation_service"),
       "offer meeting times", "times can be offered only after the family asks for mediation"),
    _t("session_booked", _BOOKABLE, "session_arranged", ("arranging_body_told", "has_mediation_service"),
       "book a mediation meeting", "a meeting can be booked only after the family asks for mediation"),
    _t("offer_accepted", _BOOKABLE, "session_arranged", ("arranging_body_told", "has_mediation_service"),
       "book a mediation meeting", "a meeting can be booked only after the family asks for mediation"),
    _t("session_moved", {"session_arranged", "appealed"}, None, ("a_live_session",),
       "move the meeting", "a meeting must be booked first"),
    _t("session_cancelled", {"session_arranged"}, "mediation_requested", ("one_live_session",),
       "cancel the meeting", "a meeting must be booked first"),
    _t("session_cancelled", {"session_arranged"}, None, ("several_live_sessions",),
       "cancel the meeting", "a meeting must be booked first"),
    # A meeting booked before the family appealed can still be moved or called off.
    _t("session_cancelled", {"appealed"}, None, ("a_live_session",),
       "cancel the meeting", "a meeting must be booked first"),
    # Officers who attend without an account: named, changed or removed while a meeting is booked.
    _t("attendee_named", {"session_arranged", "appealed"}, None, ("a_live_session",),
       "name an officer to attend the meeting", "a meeting must be booked first"),
    _t("attendee_changed", {"session_arranged", "appealed"}, None, ("a_live_session",),
       "change an officer attending the meeting", "a meeting must be booked first"),
    _t("attendee_removed", {"session_arranged", "appealed"}, None, ("a_live_session",),
       "remove an officer from the meeting", "a meeting must be booked first"),
    # --- The mediation and its outcome (Regs 39, 42) ---
    _t("mediation_held", _BOOKABLE, "agreement", (*MEDIATION, "arranging_body_told"),
       "record the outcome of mediation", "the family must first ask for mediation, and it is recorded once",
       variant="agreement"),
    _t("mediation_held", _BOOKABLE, "no_agreement", (*MEDIATION, "arranging_body_told"),
       "record the outcome of mediation", "the family must first ask for mediation, and it is recorded once",
       variant="no_agreement"),
    # Certificates: after declining (reg 34), when mediation cannot be arranged in 30 days (the 'deemed'
    # certificate), or after mediation, with or without agreement (CFA s.55).
    _t("certificate_issued",
       {"mediation_declined", "mediation_requested", "session_arranged", "no_agreement"},
       "certificate_issued", ("certificate_applies", "certificate_due"),
       "issue a mediation certificate",
       "the family must first decline mediation, or mediation must be held or be impossible to arrange"),
    _t("certificate_issued", {"agreement"}, None,
       ("certificate_applies", "certificate_due"),
       "issue a mediation certificate", "mediation must be held first"),
    # An appeal sent first does not end the adviser's duty: the tribunal still wants the certificate.
    _t("certificate_issued", {"appealed", "decided", "complied"}, None,
       ("certificate_applies", "certificate_due"),
       "issue a mediation certificate", "mediation must be held first"),
    # --- The tribunal (HESC Rules; Regs 44-45; 2017 Regs) ---
    _t("appeal_made", _PRE_APPEAL | {"complied"}, "appealed", ("appeal_available", "not_yet_appealed"),
       "record an appeal", "an appeal can be recorded only once, before the tribunal decides"),
    _t("la_received_appeal", {"appealed"}, None, ("appeal_not_yet_received",),
       "record that the local authority received the appeal", "an appeal must be recorded first"),
    _t("timetable_updated", {"appealed", "decided"}, None, (),
       "update the tribunal timetable", "an appeal must be recorded first"),
    _t("decision_recorded", {"appealed"}, "decided", (),
       "record the tribunal's decision", "an appeal must be recorded first, and it is decided once",
       variant="decided"),
    _t("decision_recorded", {"appealed"}, "withdrawn", (),
       "record the tribunal's decision", "an appeal must be recorded first, and it is decided once",
       variant="withdrawn"),
    _t("decision_recorded", {"appealed"}, None, (),
       "record the tribunal's decision", "an appeal must be recorded first, and it is decided once",
       variant="partly"),
    # An order may be recorded before the outcome on each matter: the outcomes can follow.
    _t("decision_recorded", {"decided"}, None, (),
       "record the tribunal's decision", "an appeal must be recorded first, and it is decided once",
       variant="decided"),
    _t("decision_recorded", {"decided"}, None, (),
       "record the tribunal's decision", "an appeal must be recorded first, and it is decided once",
       variant="partly"),
    _t("order_made", {"appealed"}, "decided", (),
       "record a tribunal order", "an appeal must be recorded first"),
    _t("order_made", {"decided"}, None, (),
       "record a tribunal order", "an appeal must be recorded first"),
    _t("unopposed", {"appealed"}, "decided", ("reg_45_applies",),
       "record that the local authority will not oppose the appeal",
       "an appeal must be recorded first, and not yet decided"),
    _t("recommendation_made", {"appealed", "decided", "complied"}, None, (),
       "record a tribunal recommendation", "an appeal must be recorded first"),
    # --- Duties, compliance, and the end of a case ---
    _t("duty_done", _OPEN, None, ("body_duty_runs",),
       "record a duty as done", "the case must be open"),
    _t("complied", {"decided", "agreement"}, "complied", ("compliance_done",),
       "record compliance", "there must first be a tribunal decision or a mediation agreement"),
    _t("rerouted", _PRE_APPEAL, None, (),
       "change the disputed matters", "matters can change only before an appeal is recorded"),
    # An organisation merged into another (ICBs on 1 April 2026): an open case's duties pass to the
    # successor; a withdrawn or closed case keeps the body it had.
    _t("succeeded", _OPEN, None, ("succession_due",),
       "pass the case to the successor body", "the case must be open"),
    _t("withdrawn", _OPEN, "withdrawn", (),
       "withdraw the case", "the case is already withdrawn or closed"),
    # The handling body's own work on a case: who deals with it, and its internal notes (never shown
    # to the family). Neither moves the state; both stop once the case is closed.
    _t("assigned", _NOT_CLOSED, None, (),
       "assign the case to an officer", "the case is closed"),
    _t("note_added", _NOT_CLOSED, None, (),
       "add a note to the case", "the case is closed"),
    _t("closed",
       {"mediation_declined", "agreement", "no_agreement", "certificate_issued", "decided", "complied",
        "withdrawn"},
       "closed", ("nothing_owed",), "close the case",
       "the case can be closed only once it has reached an outcome or been withdrawn"),
    # The family's email, phone, address, preferred channel and large print: letters still go out after
    # a withdrawal, so they can change until the case is closed.
    _t("contact_changed", _OPEN | {"withdrawn"}, None, (),
       "change the family's contact details", "the case must not be closed"),
)
# fmt: on

EVENTS: tuple[str, ...] = tuple(dict.fromkeys(t.event for t in TRANSITIONS))
# The events that carry a detail choosing the row (an outcome), with the values they accept.
VARIANTS: dict[str, tuple[str, ...]] = {
    event: tuple(t.variant for t in TRANSITIONS if t.event == event and t.variant is not None)
    for event in EVENTS
    if any(t.event == event and t.variant is not None for t in TRANSITIONS)
}
_BY_EVENT: dict[str, tuple[Transition, ...]] = {
    event: tuple(t for t in TRANSITIONS if t.event == event) for event in EVENTS
}


def _refusal(rule: Transition, guard: str, detail: str | None) -> str:
    text = GUARDS[guard].refusal.format(detail=detail or "")
    return f"cannot {rule.action}: {text}"


def _failed_guard(rule: Transition, facts: CaseFacts, detail: str | None) -> str | None:
    for name in rule.guards:
        if not GUARDS[name].allows(facts, detail):
            return name
    return None


def transition(state: str, event: str, facts: CaseFacts, detail: str | None = None) -> str:
    """The state the case is in after `event` (the same state for events that do not move it), or
    `IllegalTransition` saying why it cannot happen now.

    `detail` is what the event is about: the outcome for `mediation_held` and `decision_recorded`, the
    rule for `duty_done`.
    """
    if state not in STATE_LABELS:
        raise IllegalTransition(f"unknown state {state!r}")
    rows = _BY_EVENT.get(event)
    if rows is None:
        raise IllegalTransition(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    if event in VARIANTS:
        if detail not in VARIANTS[event]:
            raise IllegalTransition(
                f"cannot {rows[0].action}: say which outcome, one of {', '.join(VARIANTS[event])}"
            )
        rows = tuple(r for r in rows if r.variant == detail)
    if state in TERMINAL_STATES:
        raise IllegalTransition(f"cannot {rows[0].action}: the case is {state}")
    candidates = [r for r in rows if state in r.sources]
    if not candidates:
        label = STATE_LABELS[state].lower()
        raise IllegalTransition(f"cannot {rows[0].action}: the case is at '{label}'; {rows[0].needs}")
    first_refusal: str | None = None
    for row in candidates:
        failed = _failed_guard(row, facts, detail)
        if failed is None:
            return row.target or state
        first_refusal = first_refusal or _refusal(row, failed, detail)
    assert first_refusal is not None
    raise IllegalTransition(first_refusal)


def allows(state: str, event: str, facts: CaseFacts, detail: str | None = None) -> bool:
    try:
        transition(state, event, facts, detail)
    except IllegalTransition:
        return False
    return True


def allowed_events(state: str, facts: CaseFacts) -> tuple[str, ...]:
    """The events the case can take now, in table order. An event with outcomes counts if any outcome
    can happen; `duty_done` counts if any body's clock runs."""
    if state in TERMINAL_STATES:
        return ()
    found = []
    for event in EVENTS:
        if event == "duty_done":
            ok = any(allows(state, event, facts, rule) for rule, _ in facts.running)
        elif event in VARIANTS:
            ok = any(allows(state, event, facts, v) for v in VARIANTS[event])
        else:
            ok = allows(state, event, facts)
        if ok:
            found.append(event)
    return tuple(found)
