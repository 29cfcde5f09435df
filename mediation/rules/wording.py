"""The words families read for the rule catalogue and the case states, in one place (issue 13).

Every rule and every state has a plain-English line here, written from the family's side ("you", "your
child") and naming the council and the NHS body where a case knows them. Staff pages keep the catalogue's
own titles (`catalogue.CLOCK_FACES`) and the citations; the public calculator, family pages, emails and
letters read these. Tests check that every rule id and state has one.
"""

from __future__ import annotations

import re

from mediation.rules.routing import RoutingDecision

COUNCIL = "the council"
NHS = "the NHS"

# {council} and {icb} are filled with the case's own organisations (or the words above when none is known).
FAMILY_TITLES: dict[str, str] = {
    "contact_mediation_adviser": "Contact a mediation adviser",
    "certificate_after_decline": "You get a mediation certificate after you say no to mediation",
    "notify_health_commissioner": "{council} tells {icb} about the health parts",
    "mediation_held_by_la": "{council} holds your mediation meeting",
    "mediation_held_by_icb": "{icb} holds your mediation meeting",
    "mediation_notice": "You are told the date and place of the meeting",
    "certificate_unable_to_arrange": "You get a certificate if no meeting can be held in 30 days",
    "certificate_after_mediation": "You get a certificate after the meeting",
    "agreement_appealable": "{council} does what you agreed at mediation",
    "agreement_non_appealable": "What you agreed at mediation is done",
    "agreement_icb_tells_la": "{icb} tells {council} what you agreed",
    "agreement_override": "What you agreed at mediation is done, by the date you agreed",
    "appeal": "Appeal to the tribunal",
    "tribunal_la_response": "{council} answers your appeal",
    "order_assess_notify": "{council} tells you if it will make a plan (tribunal order)",
    "order_assess_no_plan": (
        "{council} checks your child's needs and says if there is no plan (tribunal order)"
    ),
    "order_assess_final_plan": "{council} checks your child's needs and sends the plan (tribunal order)",
    "order_issue_draft_plan": "{council} sends a draft plan (tribunal order)",
    "order_issue_final_plan": "{council} sends the final plan (tribunal order)",
    "order_amend_plan": "{council} changes the plan (tribunal order)",
    "order_section_i": "{council} names the school in the plan (tribunal order)",
    "order_cease": "{council} stops the plan (tribunal order)",
    "order_continue": "{council} keeps the plan going (tribunal order)",
    "order_reconsider": "{council} looks at its decision again (tribunal order)",
    "unopposed_assess_notify": "{council} tells you if it will make a plan (appeal not opposed)",
    "unopposed_assess_no_plan": (
        "{council} checks your child's needs and says if there is no plan (appeal not opposed)"
    ),
    "unopposed_assess_final_plan": (
        "{council} checks your child's needs and sends the plan (appeal not opposed)"
    ),
    "unopposed_plan_contents": "{council} changes what the plan says (appeal not opposed)",
    "unopposed_amend_plan": "{council} changes the plan (appeal not opposed)",
    "unopposed_section_i": "{council} names the school in the plan (appeal not opposed)",
    "unopposed_issue_draft_plan": "{council} sends a draft plan (appeal not opposed)",
    "unopposed_issue_final_plan": "{council} sends the final plan (appeal not opposed)",
    "recommendation_response": "{icb} or {council} answers what the tribunal asked",
    "discrimination_claim": "Make a disability discrimination claim",
    "ehc_assessment_decision": "{council} decides if it will check your child's needs",
    "ehc_final_plan": "{council} sends the final EHC plan",
    "draft_plan_representations": "Tell {council} what you think of the draft plan",
    "review_amended_plan": "{council} sends the changed plan after a review",
}  # fmt: skip

# Where the case stands, as the family reads it (staff see `lifecycle.STATE_LABELS`).
FAMILY_STATE_LABELS: dict[str, str] = {
    "lodged": "Sent to the council",
    "mediation_advice": "You have talked to a mediation adviser",
    "mediation_requested": "You asked for mediation",
    "mediation_declined": "You said no to mediation",
    "session_arranged": "Your mediation meeting is booked",
    "agreement": "You made an agreement at mediation",
    "no_agreement": "No agreement at mediation",
    "certificate_issued": "You have a mediation certificate",
    "appealed": "You have appealed to the tribunal",
    "decided": "The tribunal has made its decision",
    "complied": "The council has done what it had to do",
    "withdrawn": "Stopped",
    "closed": "Closed",
}
# Research notes in a citation ("(regulation numbers unconfirmed)") are for staff, not families.
_RESEARCH_NOTE = re.compile(r"\s*\([^()]*unconfirmed[^()]*\)")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def family_title(rule_id: str, *, council: str | None = None, icb: str | None = None) -> str:
    """The rule as a family reads it, naming the case's council and ICB when given."""
    words = FAMILY_TITLES.get(rule_id, "A time limit")
    return _capital(words.format(council=council or COUNCIL, icb=icb or NHS))


def family_state(state: str) -> str:
    return FAMILY_STATE_LABELS.get(state, "In progress")


def family_citation(citation: str) -> str:
    """The law a date comes from, without the research notes staff see."""
    return _RESEARCH_NOTE.sub("", citation)


# The decisions and plan sections in a family's words (staff pages keep `routing`'s labels and citations).
FAMILY_DECISIONS: dict[str, str] = {
    "refuse_assessment": "The council will not check your child's needs (an EHC needs assessment)",
    "refuse_plan": "The council will not make an EHC plan",
    "plan_contents": "What your child's EHC plan says",
    "refuse_reassessment": "The council will not check your child's needs again",
    "refuse_amendment": "The council will not change the plan after a review",
    "cease_to_maintain": "The council wants to stop the plan",
    "disability_discrimination": "A school treated your child unfairly because of a disability",
}
FAMILY_SECTIONS: dict[str, str] = {
    "A": "A: your child's views, interests and hopes",
    "B": "B: special educational needs",
    "C": "C: health needs",
    "D": "D: social care needs",
    "E": "E: outcomes",
    "F": "F: special educational help",
    "G": "G: health care help",
    "H1": "H1: social care help the law says must be given",
    "H2": "H2: other social care help",
    "I": "I: the school or college",
    "J": "J: personal budget",
    "K": "K: advice and information",
}


def who_handles(
    routing: RoutingDecision, *, council: str | None = None, icb: str | None = None, appealed: bool = False
) -> list[str]:
    """Who handles the disagreement and what that means for an appeal, in sentences naming the bodies."""
    council_name, icb_name = council or COUNCIL, icb or NHS
    if routing.arranged_by is None:
        return [
            "There is no mediation for a disability discrimination claim.",
            "You send your claim straight to the tribunal.",
        ]
    if routing.arranged_by == "health_commissioner":
        lines = [
            f"{_capital(icb_name)} arranges your mediation.",
            f"{_capital(council_name)} tells {icb_name} about it first.",
        ]
    else:
        lines = [f"{_capital(council_name)} arranges your mediation."]
        if "health" in routing.scope:
            lines.append(f"{_capital(icb_name)} takes part too, for the health parts.")
    if appealed:
        return [*lines, "Your appeal is with the tribunal."]
    if routing.certificate_required:
        lines += [
            "You need a mediation certificate before you can appeal.",
            "You get one from a mediation adviser. You do not have to have mediation.",
        ]
    if routing.appeal_available:
        if not routing.certificate_required:
            lines.append("You can appeal without a mediation certificate.")
        lines.append("You can appeal to the tribunal.")
    else:
        lines.append("You cannot appeal to the tribunal about this. Mediation can still help.")
    return lines
