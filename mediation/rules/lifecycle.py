"""A disagreement's states and the events that move it between them, as a transition table.

Guards use the routing facts of the case (statute.md section 2). A late appeal, or one made without a
certificate that routing says is required, is flagged elsewhere, not refused here: the tribunal decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mediation.rules.errors import IllegalTransition
from mediation.rules.routing import RoutingDecision

STATE_LABELS: dict[str, str] = {
    "lodged": "Disagreement lodged",
    "mediation_advice": "Mediation advice given",
    "mediation_requested": "Mediation requested",
    "mediation_declined": "Mediation declined",
    "session_arranged": "Mediation session arranged",
    "mediation_held": "Mediation held",
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


@dataclass(frozen=True)
class CaseFacts:
    """What routing decided about the case; the guards read these."""

    arranged_by: str | None = "local_authority"
    certificate_required: bool = True
    appeal_available: bool = True

    @classmethod
    def from_routing(cls, routing: RoutingDecision) -> CaseFacts:
        return cls(routing.arranged_by, routing.certificate_required, routing.appeal_available)


@dataclass(frozen=True)
class Guard:
    name: str
    allows: Callable[[CaseFacts], bool]
    refusal: str


GUARDS: dict[str, Guard] = {
    g.name: g
    for g in (
        Guard(
            "mediation_applies",
            lambda f: f.arranged_by is not None,
            "mediation does not apply to a disability discrimination claim (Equality Act 2010 Sch 17)",
        ),
        Guard(
            "certificate_applies",
            lambda f: f.certificate_required,
            "no mediation certificate is needed before an appeal on these matters (CFA s.55)",
        ),
        Guard(
            "appeal_available",
            lambda f: f.appeal_available,
            "no appeal to the tribunal lies on these matters (CFA s.51)",
        ),
    )
}


@dataclass(frozen=True)
class Transition:
    event: str
    sources: frozenset[str]
    target: str
    guard: str | None
    action: str  # completes "cannot ..."
    needs: str  # what must happen first, for the refusal message


_PRE_APPEAL = frozenset(
    {
        "lodged",
        "mediation_advice",
        "mediation_requested",
        "mediation_declined",
        "session_arranged",
        "mediation_held",
        "agreement",
        "no_agreement",
        "certificate_issued",
    }
)


def _t(event: str, sources: set[str], target: str, guard: str | None, action: str, needs: str) -> Transition:
    return Transition(event, frozenset(sources), target, guard, action, needs)


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("give_mediation_advice", {"lodged"}, "mediation_advice", "mediation_applies",
       "record mediation advice", "advice is given once, when the disagreement is first lodged"),
    _t("request_mediation", {"lodged", "mediation_advice"}, "mediation_requested", "mediation_applies",
       "request mediation", "mediation can be requested only before it is arranged or declined"),
    _t("decline_mediation", {"mediation_advice", "mediation_requested"}, "mediation_declined",
       "mediation_applies", "decline mediation", "the family must first have had mediation advice"),
    _t("arrange_session", {"mediation_requested"}, "session_arranged", "mediation_applies",
       "arrange a mediation session", "the family must first request mediation"),
    _t("hold_mediation", {"session_arranged"}, "mediation_held", "mediation_applies",
       "hold mediation", "a session must be arranged first"),
    _t("record_agreement", {"mediation_held"}, "agreement", "mediation_applies",
       "record a mediation agreement", "the mediation must be held first"),
    _t("record_no_agreement", {"mediation_held"}, "no_agreement", "mediation_applies",
       "record that mediation ended without agreement", "the mediation must be held first"),
    # Certificates: after declining (reg 34), when mediation cannot be arranged in 30 days (deemed
    # certificate), or after mediation, whether or not an agreement was reached.
    _t("issue_certificate",
       {"mediation_declined", "mediation_requested", "session_arranged", "mediation_held", "agreement",
        "no_agreement"},
       "certificate_issued", "certificate_applies", "issue a mediation certificate",
       "the family must first decline mediation, or mediation must be requested or held"),
    _t("appeal", set(_PRE_APPEAL), "appealed", "appeal_available",
       "record an appeal", "an appeal can be recorded only once, before the tribunal decides"),
    _t("record_decision", {"appealed"}, "decided", None,
       "record the tribunal's decision", "an appeal must be made first"),
    _t("record_unopposed", {"appealed"}, "decided", None,
       "record that the local authority will not oppose the appeal", "an appeal must be made first"),
    _t("record_compliance", {"decided", "agreement"}, "complied", None,
       "record compliance", "there must first be a tribunal decision or a mediation agreement"),
    _t("withdraw", set(STATES) - {"withdrawn", "closed"}, "withdrawn", None,
       "withdraw the case", "the case is already withdrawn or closed"),
    _t("close",
       {"mediation_declined", "agreement", "no_agreement", "certificate_issued", "decided", "complied",
        "withdrawn"},
       "closed", None, "close the case",
       "the case can be closed only once it has reached an outcome or been withdrawn"),
)
# fmt: on

EVENTS: tuple[str, ...] = tuple(t.event for t in TRANSITIONS)
_BY_EVENT: dict[str, Transition] = {t.event: t for t in TRANSITIONS}


def transition(state: str, event: str, facts: CaseFacts) -> str:
    """The state the case moves to on `event`, or `IllegalTransition` saying why it cannot."""
    if state not in STATE_LABELS:
        raise IllegalTransition(f"unknown state {state!r}")
    rule = _BY_EVENT.get(event)
    if rule is None:
        raise IllegalTransition(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    if state in TERMINAL_STATES:
        raise IllegalTransition(f"cannot {rule.action}: the case is {state}")
    if state not in rule.sources:
        raise IllegalTransition(f"cannot {rule.action}: the case is in state {state!r}; {rule.needs}")
    if rule.guard is not None:
        guard = GUARDS[rule.guard]
        if not guard.allows(facts):
            raise IllegalTransition(f"cannot {rule.action}: {guard.refusal}")
    return rule.target


def allowed_events(state: str, facts: CaseFacts) -> tuple[str, ...]:
    """The events the case can take now, in table order."""
    if state in TERMINAL_STATES:
        return ()
    return tuple(
        t.event
        for t in TRANSITIONS
        if state in t.sources and (t.guard is None or GUARDS[t.guard].allows(facts))
    )
