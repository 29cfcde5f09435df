"""Who handles a disagreement, and whether a mediation certificate is needed (statute.md section 2).

`route` implements the "exact rules" of statute.md section 2 line by line; it is what
POST /api/v1/routing answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mediation.rules.errors import RoutingInputError

Scope = Literal["education", "health", "social_care"]
ArrangedBy = Literal["local_authority", "health_commissioner"]

DECISION_LABELS: dict[str, str] = {
    "refuse_assessment": "Refusal to carry out an EHC needs assessment (CFA s.51(2)(a))",
    "refuse_plan": "Refusal to issue an EHC plan (CFA s.51(2)(b))",
    "plan_contents": "The contents of an EHC plan (CFA s.51(2)(c), or health and social care sections)",
    "refuse_reassessment": "Refusal to carry out a re-assessment (CFA s.51(2)(d))",
    "refuse_amendment": "Refusal to amend the plan after a review (CFA s.51(2)(e))",
    "cease_to_maintain": "Decision to cease to maintain the plan (CFA s.51(2)(f))",
    "disability_discrimination": "Disability discrimination by a school (Equality Act 2010 Sch 17)",
}
DECISIONS: tuple[str, ...] = tuple(DECISION_LABELS)

SECTION_LABELS: dict[str, str] = {
    "A": "A: views, interests and aspirations",
    "B": "B: special educational needs",
    "C": "C: health care needs",
    "D": "D: social care needs",
    "E": "E: outcomes",
    "F": "F: special educational provision",
    "G": "G: health care provision",
    "H1": "H1: social care provision under the Chronically Sick and Disabled Persons Act 1970 s.2",
    "H2": "H2: other social care provision",
    "I": "I: placement (school or other institution, or type)",
    "J": "J: personal budget",
    "K": "K: advice and information",
}
SECTIONS: tuple[str, ...] = tuple(SECTION_LABELS)

# statute.md section 2, "scope": which sections put which service in scope.
EDUCATION_SECTIONS = frozenset({"B", "E", "F", "I", "J"})
HEALTH_SECTIONS = frozenset({"C", "G"})
SOCIAL_CARE_SECTIONS = frozenset({"D", "H1", "H2"})
APPEALABLE_SECTIONS = frozenset({"B", "F", "I"})
APPEALABLE_DECISIONS = frozenset(
    {
        "refuse_assessment",
        "refuse_plan",
        "refuse_reassessment",
        "refuse_amendment",
        "cease_to_maintain",
        "disability_discrimination",
    }
)


@dataclass(frozen=True)
class RoutingDecision:
    scope: tuple[Scope, ...]
    arranged_by: ArrangedBy | None
    parties: tuple[str, ...]
    certificate_required: bool
    appeal_available: bool
    explanation: tuple[str, ...]


def _clean_sections(decision: str, sections: Iterable[str]) -> frozenset[str]:
    if decision not in DECISION_LABELS:
        raise RoutingInputError(f"unknown decision {decision!r}; expected one of {', '.join(DECISIONS)}")
    if isinstance(sections, str):
        raise RoutingInputError("sections must be a list of section names, not a single string")
    chosen = frozenset(sections)  # a section named twice is the same dispute
    for section in sorted(chosen):
        if section not in SECTION_LABELS:
            raise RoutingInputError(f"unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    if decision == "plan_contents" and not chosen:
        raise RoutingInputError(
            "sections must name at least one EHC plan section for a plan_contents decision"
        )
    return chosen


def _scope(decision: str, sections: frozenset[str]) -> tuple[Scope, ...]:
    scope: set[Scope] = set()
    if decision != "plan_contents" or sections & EDUCATION_SECTIONS:
        scope.add("education")
    if sections & HEALTH_SECTIONS:
        scope.add("health")
    if sections & SOCIAL_CARE_SECTIONS:
        scope.add("social_care")
    if not scope:
        scope.add("education")  # sections A and K alone count as education
    return tuple(sorted(scope))


def route(decision: str, sections: Iterable[str] = ()) -> RoutingDecision:
    """Route a disagreement about `decision` over the EHC plan `sections` in dispute."""
    chosen = _clean_sections(decision, sections)
    scope = _scope(decision, chosen)
    appealable_sections = chosen & APPEALABLE_SECTIONS
    appeal_available = decision in APPEALABLE_DECISIONS or (
        decision == "plan_contents" and bool(appealable_sections)
    )
    section_i_alone = decision == "plan_contents" and appealable_sections == {"I"}
    certificate_required = (
        appeal_available and decision != "disability_discrimination" and not section_i_alone
    )

    arranged_by: ArrangedBy | None
    parties: tuple[str, ...]
    if decision == "disability_discrimination":
        arranged_by, parties = None, ()
    elif scope == ("health",):
        arranged_by, parties = "health_commissioner", ("health_commissioner",)
    else:
        arranged_by = "local_authority"
        parties = ("local_authority", "health_commissioner") if "health" in scope else ("local_authority",)

    return RoutingDecision(
        scope=scope,
        arranged_by=arranged_by,
        parties=parties,
        certificate_required=certificate_required,
        appeal_available=appeal_available,
        explanation=_explain(
            decision, chosen, scope, appeal_available, certificate_required, section_i_alone
        ),
    )


def _explain(
    decision: str,
    sections: frozenset[str],
    scope: tuple[Scope, ...],
    appeal_available: bool,
    certificate_required: bool,
    section_i_alone: bool,
) -> tuple[str, ...]:
    listed = ", ".join(s for s in SECTIONS if s in sections)
    lines = [
        f"Decision: {DECISION_LABELS[decision]}" + (f"; sections in dispute: {listed}" if listed else "")
    ]
    if decision == "disability_discrimination":
        lines += [
            "A disability discrimination claim goes straight to the First-tier Tribunal; mediation under "
            "CFA ss.52-56 does not apply and no mediation certificate is needed (Equality Act 2010 Sch 17).",
            "The claim must be made within 6 months starting with the conduct complained of "
            "(Equality Act 2010 Sch 17 para 4).",
        ]
        return tuple(lines)
    lines.append("In scope: " + ", ".join(s.replace("_", " ") for s in scope) + ".")
    if scope == ("health",):
        lines.append(
            "Health care only: after the local authority tells it the issues, the integrated care board "
            "arranges mediation (CFA s.53). No appeal to the tribunal lies."
        )
    else:
        lines.append("The local authority arranges mediation (CFA ss.53-54).")
        if "health" in scope:
            lines.append(
                "Each responsible integrated care board is a party to the mediation and attends (CFA s.53)."
            )
    if certificate_required:
        lines.append(
            "A mediation certificate is needed before appealing: the family must first contact the mediation "
            "adviser (CFA s.55; SEND Regulations 2014 reg 33)."
        )
    elif section_i_alone:
        lines.append(
            "The only appealable matter is section I (placement), so no mediation certificate is needed "
            "before appealing (CFA s.55); the family may still choose mediation."
        )
    if appeal_available:
        lines.append("An appeal lies to the First-tier Tribunal (SEND) (CFA s.51).")
        if scope != ("education",):
            lines.append(
                "Health and social care matters can reach the tribunal only as recommendations attached to "
                "an education appeal (SEND (First-tier Tribunal Recommendations Power) Regulations 2017)."
            )
    elif scope != ("health",):
        lines.append(
            "No appeal to the tribunal lies on these matters; mediation or disagreement resolution "
            "(CFA s.57) is available."
        )
    lines.append(
        "Mediators and mediation advisers must be independent of the local authority, the ICB and "
        "NHS England (CFA s.56)."
    )
    return tuple(lines)
