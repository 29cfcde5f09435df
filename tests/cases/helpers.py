"""A local authority of a test's own, with its officers and cases, so a queue's contents are the test's."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from mediation import timekeeping
from mediation.cases.commands import Matter, NewCase, create_case
from mediation.cases.tables import Disagreement
from mediation.identity import CurrentUser
from mediation.organisations.service import create_organisation
from tests.mediation.helpers import person


@dataclass
class OwnLA:
    la_id: int
    coordinator: CurrentUser
    officer: CurrentUser
    family: CurrentUser


async def own_la() -> OwnLA:
    tag = secrets.token_hex(3).upper()
    la_id = await create_organisation(name=f"Test Borough {tag}", kind="local_authority", code=f"T{tag}")
    return OwnLA(
        la_id=la_id,
        coordinator=await person("la_coordinator", la_id, "Casey Coordinator"),
        officer=await person("la_coordinator", la_id, "Olu Officer"),
        family=await person("family", None, "Morgan Family"),
    )


async def lodge(la: OwnLA, child_name: str, *, family: CurrentUser | None = None, due: dt.date | None = None,
                sections: tuple[str, ...] = ("B", "F")) -> str:  # fmt: skip
    """A case at this LA; `due` sets its next deadline directly (the queue sorts and filters by it)."""
    case = await create_case(
        NewCase(
            family_id=(family or la.family).id,
            local_authority_id=la.la_id,
            child_name=child_name,
            child_date_of_birth=dt.date(2015, 3, 1),
            decision="plan_contents",
            decision_notice_sent=timekeeping.today() - dt.timedelta(days=10),
            matters=[Matter(section=s, disagreement_text="x", wanted_text="y") for s in sections],
            wants_mediation=True,
        ),
        actor=None,
    )
    await Disagreement.update({Disagreement.next_due_date: due}).where(Disagreement.id == case.id)
    return case.reference
