"""Moving a case through its lifecycle: the transition table decides, this records it."""

from __future__ import annotations

import datetime as dt

from mediation.audit import service as audit
from mediation.cases.tables import Disagreement
from mediation.identity import CurrentUser
from mediation.rules.errors import IllegalTransition
from mediation.rules.lifecycle import STATE_LABELS, CaseFacts, transition
from mediation.rules.routing import route


def facts_for(case: dict) -> CaseFacts:
    sections = [s for s in str(case["sections"]).split(",") if s]
    return CaseFacts.from_routing(route(case["decision"], sections))


async def apply_event(case: dict, event: str, *, actor: CurrentUser | None, summary: str = "") -> str:
    """Move the case on by `event` (raises IllegalTransition with the reason); call inside the change's
    transaction. The state is updated only if nobody else moved it meanwhile."""
    target = transition(case["state"], event, facts_for(case))
    moved = (
        await Disagreement.update(
            {Disagreement.state: target, Disagreement.updated_at: dt.datetime.now(dt.UTC)}
        )
        .where((Disagreement.id == case["id"]) & (Disagreement.state == case["state"]))
        .returning(Disagreement.id)
    )
    if not moved:
        raise IllegalTransition(
            "the case changed while you were working on it; reload the page and try again"
        )
    await audit.record(
        actor=actor,
        action=event,
        entity="disagreement",
        entity_id=case["reference"],
        summary=summary or f"Case moved to: {STATE_LABELS.get(target, target)}",
        before={"state": case["state"]},
        after={"state": target},
        disagreement_id=case["id"],
    )
    case["state"] = target
    return target
