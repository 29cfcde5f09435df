"""What the family is told when its case changes hands, in the change's own transaction."""

from __future__ import annotations

from mediation import timekeeping
from mediation.cases.model import Disagreement, Succession
from mediation.notify.service import queue_for_person
from mediation.rules.calendar import format_long_date
from mediation.rules.routing import RoutingDecision
from mediation.rules.wording import FAMILY_SECTIONS
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
    named = [f"Section {FAMILY_SECTIONS.get(s, s)}" for s in sections]
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
    stamp = timekeeping.now().strftime("%Y%m%d%H%M%S%f")
    await _tell_family(case, lines, f"rerouted:{case.reference}:{stamp}")


# What each body on the case does, as the family knows it.
_ROLES = {
    "local_authority": "your council",
    "icb": "the NHS body for your area",
    "mediation_service": "your mediation service",
}


async def tell_family_handler_changed(case: Disagreement, successions: tuple[Succession, ...]) -> None:
    """A body on the case ended and its successor took the case over (a merger or a council reorganised)."""
    lines = [f"Dear {case.family_name},", "", f"Who handles your disagreement {case.reference} has changed."]
    lines.append("")
    for s in successions:
        role = _ROLES.get(s.column, "the body handling your case")
        lines += [
            f"From {format_long_date(s.on)}, {role} is {s.to_name}.",
            f"It took over from {s.from_name}, which has closed or merged.",
            "",
        ]
    lines += ["Your dates stay the same. You do not need to do anything because of this change."]
    key = ",".join(f"{s.column}:{s.to_id}" for s in successions)
    await _tell_family(case, lines, f"succeeded:{case.reference}:{key}")


async def _tell_family(case: Disagreement, lines: list[str], dedupe_key: str) -> None:
    lines = [*lines, "", f"See your case and what happens next: {settings.base_url}/cases/{case.reference}"]
    await queue_for_person(
        email=case.written_email or None,
        name=case.family_name,
        address=case.postal_address,
        subject=f"Who handles your disagreement {case.reference} has changed",
        body_text="\n".join(lines),
        dedupe_key=dedupe_key,
        disagreement_id=case.id,
        forbidden_names=[case.child_name],
    )
