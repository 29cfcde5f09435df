"""The public calculators: the rules core answered for anyone, with no login and no stored data."""

from __future__ import annotations

from collections.abc import Mapping

from mediation.public.schemas import DeadlineResponse, RoutingResponse, RuleEntry
from mediation.rules.catalogue import all_rules
from mediation.rules.deadlines import compute_deadline
from mediation.rules.routing import route


def deadline(rule_id: str, inputs: Mapping[str, str]) -> DeadlineResponse:
    result = compute_deadline(rule_id, inputs)
    return DeadlineResponse(
        rule=result.rule,
        due=result.due,
        unit=result.unit,
        citation=result.citation,
        status=result.status,
        explanation=list(result.explanation),
    )


def routing(decision: str, sections: list[str]) -> RoutingResponse:
    result = route(decision, sections)
    return RoutingResponse(
        scope=list(result.scope),
        arranged_by=result.arranged_by,
        parties=list(result.parties),
        certificate_required=result.certificate_required,
        appeal_available=result.appeal_available,
        explanation=list(result.explanation),
    )


def catalogue() -> list[RuleEntry]:
    return [
        RuleEntry(
            id=r.id,
            duration=r.duration,
            unit=r.unit,
            start_event=r.start_event,
            who_must_act=r.who_must_act,
            citation=r.citation,
            status=r.status,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
            inputs=list(r.inputs),
            optional_inputs=list(r.optional_inputs),
            notes=r.notes,
        )
        for r in all_rules()
    ]
