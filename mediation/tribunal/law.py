"""What the tribunal can decide and what each decision obliges, as data (statute.md section 3; send-law.md 4).

Pure Python: which clocks an order or an unopposed appeal starts, which action meets each duty, and the
words families and staff see. No web or database imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from mediation.rules.routing import DECISION_LABELS
from mediation.tribunal.errors import UnopposedNotApplicable

# The matters an appeal can be about: the refusal itself (CFA s.51(2)(a), (b), (d), (e), (f)) or the
# appealable plan sections (s.51(2)(c)). A disability discrimination claim is listed so it can be tracked.
REFUSALS = (
    "refuse_assessment",
    "refuse_plan",
    "refuse_reassessment",
    "refuse_amendment",
    "cease_to_maintain",
    "disability_discrimination",
)
APPEAL_SECTIONS = ("B", "F", "I")
MATTER_LABELS: dict[str, str] = {
    **{d: DECISION_LABELS[d] for d in REFUSALS},
    "B": "Section B: special educational needs",
    "F": "Section F: special educational provision",
    "I": "Section I: the school or other institution named, or its type",
}

# Health and social care recommendations (SEND (First-tier Tribunal Recommendations Power) Regs 2017).
RECOMMENDATION_SECTIONS: dict[str, str] = {
    "C": "health",
    "G": "health",
    "D": "social_care",
    "H1": "social_care",
    "H2": "social_care",
}
BODY_LABELS = {
    "health": "the integrated care board (health)",
    "social_care": "the local authority's social care",
}
# Reg 3 of the 2017 Regulations covers appeals under s.51(2)(b)-(f), not refusals to assess (s.51(2)(a)).
NO_RECOMMENDATIONS = frozenset({"refuse_assessment", "disability_discrimination"})

OUTCOMES: dict[str, str] = {
    "allowed": "Allowed",
    "partly_allowed": "Partly allowed",
    "dismissed": "Dismissed",
    "withdrawn": "Withdrawn",
    "conceded": "Conceded by the local authority",
}
OUTCOME_MEANINGS: dict[str, str] = {
    "allowed": "The tribunal agreed with the appeal on this.",
    "partly_allowed": "The tribunal agreed with part of the appeal on this.",
    "dismissed": "The tribunal did not agree; the local authority's decision stands on this.",
    "withdrawn": "The appeal on this was withdrawn.",
    "conceded": "The local authority accepted the appeal on this.",
}


@dataclass(frozen=True)
class OrderType:
    label: str
    rules: tuple[str, ...]


# Reg 44(2) as amended by SI 2015/359: each order starts the compliance clocks listed.
ORDER_TYPES: dict[str, OrderType] = {
    "assess": OrderType(
        "Carry out an EHC needs assessment or re-assessment",
        ("order_assess_notify", "order_assess_no_plan", "order_assess_final_plan"),
    ),
    "issue_plan": OrderType(
        "Make and maintain an EHC plan", ("order_issue_draft_plan", "order_issue_final_plan")
    ),
    "amend_plan": OrderType("Amend the plan (for example sections B and F)", ("order_amend_plan",)),
    "section_i": OrderType("Amend section I only (the school or type named)", ("order_section_i",)),
    "continue": OrderType("Continue to maintain the plan", ("order_continue",)),
    "cease": OrderType(
        "Cease to maintain the plan (the appeal against ceasing was dismissed)", ("order_cease",)
    ),
    "reconsider": OrderType("Reconsider the decision (the case was referred back)", ("order_reconsider",)),
}
ASSESS = ("unopposed_assess_notify", "unopposed_assess_no_plan", "unopposed_assess_final_plan")


def unopposed_rules(decision: str, matters: list[str], *, amendments_agreed: bool = False) -> tuple[str, ...]:
    """Reg 45 (as substituted 2015): the clocks that start when the LA will not oppose the appeal."""
    if decision in ("refuse_assessment", "refuse_reassessment"):
        return ASSESS  # reg 45(3) and (3A)
    if decision == "refuse_plan":
        return ("unopposed_issue_draft_plan", "unopposed_issue_final_plan")  # reg 45(6)
    if decision == "refuse_amendment":
        return ("unopposed_amend_plan",)  # reg 45(4), s.51(2)(e)
    if decision == "plan_contents":
        sections = set(matters)
        if sections & {"B", "F"}:
            return ("unopposed_plan_contents",)  # reg 45(4); section I with contents: 5 weeks (Surrey)
        if "I" in sections:
            return ("unopposed_section_i",)  # reg 45(5)
        raise UnopposedNotApplicable("the appeal names no appealable section (B, F or I)")
    if decision == "cease_to_maintain":
        # The plan simply continues; agreed amendments are issued within 5 weeks (reg 45(6), Surrey).
        return ("unopposed_amend_plan",) if amendments_agreed else ()
    raise UnopposedNotApplicable("regulation 45 covers SEND appeals, not disability discrimination claims")


DUTY_LABELS: dict[str, str] = {
    "assess_notify": "Tell the family the assessment will be carried out",
    "assess_no_plan": "If no plan will be issued, tell the family so, with reasons",
    "assess_final_plan": "Issue the final EHC plan after the assessment",
    "issue_draft_plan": "Issue the draft EHC plan",
    "issue_final_plan": "Issue the final EHC plan",
    "amend_plan": "Issue the amended plan",
    "plan_contents": "Issue the amended plan",
    "section_i": "Issue the plan with section I amended",
    "cease": "Cease to maintain the plan",
    "continue": "Continue to maintain the plan",
    "reconsider": "Reconsider the decision and tell the family",
    "recommendation_response": "Respond to the tribunal's recommendation",
}


def duty_key(rule: str) -> str:
    return rule.removeprefix("order_").removeprefix("unopposed_")


def duty_label(rule: str) -> str:
    return DUTY_LABELS.get(duty_key(rule), rule.replace("_", " "))


@dataclass(frozen=True)
class Action:
    label: str
    met: bool  # False: the duty no longer applies (the clock is cancelled, not met)
    # Sibling duties of the same order that this action ends (they no longer apply).
    cancels: tuple[str, ...] = ()
    needs_note: bool = False


ACTIONS: dict[str, Action] = {
    "assessment_notified": Action("Told the family the assessment will be carried out", True),
    "no_plan_notified": Action(
        "Told the family no plan will be issued, with reasons", True, cancels=("assess_final_plan",)
    ),
    "decided_to_issue": Action("Decided to issue a plan (the no-plan time limit no longer applies)", False),
    "draft_plan_issued": Action("Draft plan issued", True),
    "final_plan_issued": Action("Final plan issued", True, cancels=("assess_no_plan",)),
    "amended_plan_issued": Action("Amended plan issued", True),
    "plan_ceased": Action("Plan ceased", True),
    "plan_continued": Action("Plan continued", True),
    "reconsidered": Action("Decision reconsidered and the family told", True),
    "response_sent": Action("Response sent to the family and the local authority", True),
    "not_applicable": Action("No longer applies (recorded in error, or set aside)", False, needs_note=True),
}
ACTIONS_BY_DUTY: dict[str, tuple[str, ...]] = {
    "assess_notify": ("assessment_notified",),
    "assess_no_plan": ("no_plan_notified", "decided_to_issue"),
    "assess_final_plan": ("final_plan_issued",),
    "issue_draft_plan": ("draft_plan_issued",),
    "issue_final_plan": ("final_plan_issued",),
    "amend_plan": ("amended_plan_issued",),
    "plan_contents": ("amended_plan_issued",),
    "section_i": ("amended_plan_issued",),
    "cease": ("plan_ceased",),
    "continue": ("plan_continued",),
    "reconsider": ("reconsidered",),
    "recommendation_response": ("response_sent",),
}


def actions_for(rule: str) -> tuple[str, ...]:
    return (*ACTIONS_BY_DUTY.get(duty_key(rule), ()), "not_applicable")


KIND_LABELS = {
    "order": "Tribunal order",
    "unopposed": "Appeal not opposed",
    "recommendation": "Tribunal recommendation",
}
ENFORCEMENT = (
    "The tribunal cannot enforce its own orders. If a deadline is missed, complain to the local authority, "
    "then to the Local Government and Social Care Ombudsman; judicial review is also possible. A SEND "
    "information, advice and support service (SENDIASS) can help."
)
