"""A statutory clock as the service reasons about it (a row of `statutory_clock`, loaded with its case by
`cases.repository`): its title and who must act come from the rule catalogue, its status on a day is worked
out here. Plain Python: no web or database imports (`cases/model.py` holds them in the case aggregate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mediation.rules.catalogue import BODIES, versions

# The organisation kind that stands for each body who may have to act on a clock.
ACTOR_LABELS = {
    "family": "The family",
    "local_authority": "The local authority",
    "health_commissioner": "The health commissioner",
    "mediation_adviser": "The mediation adviser",
    "mediator": "The mediator",
}


def rule_title(rule: str) -> str:
    return versions(rule)[-1].title


@dataclass(frozen=True)
class CaseClock:
    """One statutory clock on the case (a row of `statutory_clock`)."""

    id: int
    rule: str
    actor: str  # who must act: family, local_authority, health_commissioner, mediation_adviser, mediator
    started_on: dt.date
    due: dt.date
    stored_status: str  # running, met or cancelled
    stopped_on: dt.date | None = None
    stop_reason: str = ""
    started_by: str = ""
    citation: str = ""
    rule_status: str = ""
    explanation: tuple[str, ...] = ()
    version: int = 1

    @property
    def running(self) -> bool:
        return self.stored_status == "running"

    @property
    def title(self) -> str:
        return rule_title(self.rule)

    @property
    def actor_label(self) -> str:
        return ACTOR_LABELS.get(self.actor, self.actor)

    @property
    def owed_by_body(self) -> bool:
        return self.actor in BODIES

    def status_on(self, today: dt.date) -> str:
        """api-contract.md: running, met (stopped on or before due), late (stopped after), breached (still
        running after due), cancelled (no longer applies)."""
        if self.stored_status == "running":
            return "breached" if today > self.due else "running"
        if self.stored_status == "met":
            return "late" if self.stopped_on is not None and self.stopped_on > self.due else "met"
        return "cancelled"
