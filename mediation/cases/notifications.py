"""What the family is told when its case changes hands, in the change's own transaction."""

from __future__ import annotations

from mediation import timekeeping
from mediation.cases.model import Disagreement
from mediation.notify.service import queue_for_person
from mediation.rules.routing import SECTION_LABELS, RoutingDecision
from mediation.settings import settings


def handled_by(case: Disagreement, routing: RoutingDecision) -> str:
    """Who handles the disagreement, by name where the case knows it."""
    council = case.local_authority_name or "your council"
    if routing.arranged_by == "health_commissioner":
        icb = case.icb_name or "the NHS integrated care board (ICB)"
        return f"{icb}, once {council} has passed it on"
    if routing.arranged_by == "local_authority":
        return council + (
            f", with {case.icb_name or 'the NHS integrated care board'} taking part"
            if "health" in routing.scope
            else ""
        )
    return "the First-tier Tribunal (mediation does not apply to a disability discrimination claim)"


async def tell_family_rerouted(
    case: Disagreement, routing: RoutingDecision, sections: list[str], reason: str
) -> None:
    named = [f"Section {SECTION_LABELS.get(s, s)}" for s in sections]
    lines = [
        f"Dear {case.family_name},",
        "",
        f"The parts of your disagreement {case.reference} that are being looked at have changed.",
        "",
        f"Why: {reason}",
        "",
        f"Who handles it now: {handled_by(case, routing)}.",
    ]
    if named:
        lines += ["", "The parts of the plan in dispute now:", *[f"- {s}" for s in named]]
    lines += ["", f"See your case and what happens next: {settings.base_url}/cases/{case.reference}"]
    stamp = timekeeping.now().strftime("%Y%m%d%H%M%S%f")
    await queue_for_person(
        email=case.written_email or None,
        name=case.family_name,
        address=case.postal_address,
        subject=f"Who handles your disagreement {case.reference} has changed",
        body_text="\n".join(lines),
        dedupe_key=f"rerouted:{case.reference}:{stamp}",
        disagreement_id=case.id,
        forbidden_names=[case.child_name],
    )
