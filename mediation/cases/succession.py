"""A body that ends with a successor (ICBs merged on 1 April 2026; councils reorganised) passes its open
cases on: from the successor's first day, the case names the successor, so its officers see it in their
queue and the clocks the old body owed are owed by the successor, and open tribunal duties move with it.

Each open case changes through the case-events write path (`succeeded`, recorded by the service or by
the admin who ran it), so the case's log says who answered for it until when. A withdrawn or closed case
keeps the bodies it had: its history is what happened. New cases never reach an ended body:
`create_case` lodges them with the successor (`organisations.service.current_body`, `icb_for_la`).

Safe to run at any time and in several processes: the lifecycle only allows `succeeded` while a
succession is due, and `events.record` re-checks that with the case locked, so a second run finds
nothing left to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mediation import timekeeping
from mediation.cases import events, repository
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.tables import Disagreement as DisagreementRow
from mediation.errors import Conflict
from mediation.identity import CurrentUser
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import format_long_date

log = logging.getLogger(__name__)
OPEN_CASE_STATES_EXCLUDED = ("withdrawn", "closed")


def _summary(case: Disagreement) -> str:
    passed = [f"{s.from_name} to {s.to_name} on {format_long_date(s.on)}" for s in case.successions]
    return (
        "Responsibility passed from "
        + "; and from ".join(passed)
        + " (the organisation was merged or reorganised)"
    )


async def pass_to_successors(case: Disagreement, *, actor: CurrentUser | None) -> Disagreement:
    """Record `succeeded` on an open case whose LA, ICB or mediation service has ended with a successor.
    Conflict (409) if nothing is due (already passed on, or the case has ended)."""
    on = max([case.received_on, *(s.on for s in case.successions)])
    events.check(case, "succeeded", actor=actor, on=on)

    async def writes(change: Change) -> None:
        # Open duties from the tribunal's decision move too: the writes tribunal/duties.py registers for
        # `succeeded` (cases/events.py: add_writes), in this transaction.
        from mediation.cases.notifications import tell_family_handler_changed

        fresh = change.case
        await repository.update_case(
            fresh.id, {s.column: s.to_id for s in fresh.successions}, timekeeping.now()
        )
        await tell_family_handler_changed(fresh, fresh.successions)

    return await events.record(
        case,
        "succeeded",
        actor=actor,
        on=on,
        summary=_summary(case),
        before={s.column: s.from_id for s in case.successions},
        data={
            **{s.column: s.to_id for s in case.successions},
            "passed": [f"{s.column}: {s.from_name} -> {s.to_name}" for s in case.successions],
        },
        writes=writes,
    )


@dataclass
class SuccessionReport:
    passed: int = 0
    already: int = 0

    def __str__(self) -> str:
        return f"{self.passed} cases passed to a successor, {self.already} already passed by another run"


async def apply_successions(*, actor: CurrentUser | None = None) -> SuccessionReport:
    """Pass every open case of a body whose successor has taken over (by today) to that successor."""
    today = timekeeping.today()
    ended = [
        r["id"]
        for r in await Organisation.select(Organisation.id).where(
            Organisation.successor.is_not_null() & (Organisation.valid_to < today)
        )
    ]
    report = SuccessionReport()
    if not ended:
        return report
    rows = await DisagreementRow.select(DisagreementRow.id).where(
        DisagreementRow.state.not_in(list(OPEN_CASE_STATES_EXCLUDED))
        & (
            DisagreementRow.local_authority.is_in(ended)
            | DisagreementRow.icb.is_in(ended)
            | DisagreementRow.mediation_service.is_in(ended)
        )
    )
    for row in rows:
        case = await repository.load_case(int(row["id"]))
        if "succeeded" not in case.allowed_events:
            continue
        try:
            await pass_to_successors(case, actor=actor)
        except Conflict:
            report.already += 1  # another process passed it on first
        else:
            report.passed += 1
    if report.passed:
        log.info("successions: %s", report)
    return report
