"""The access rule, in one place: who may see which cases.

A family sees only its own cases; LA staff only their LA's; ICB staff only cases where their ICB is a
party; mediators only cases assigned to their service; admins manage reference data, not cases.
Every case query goes through `visible_cases`, so a denied case is indistinguishable from a missing one.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from mediation.cases.tables import Disagreement
from mediation.identity import CurrentUser


def visible_cases(user: CurrentUser | None) -> Where | WhereRaw:
    """A WHERE clause restricting disagreements to those this user may see."""
    nothing = WhereRaw("1 = 0")
    if user is None:
        return nothing
    if user.role == "family":
        return Disagreement.family == user.id
    if user.organisation_id is None:
        return nothing
    if user.role == "la_coordinator":
        return Disagreement.local_authority == user.organisation_id
    if user.role == "health_commissioner":
        return Disagreement.icb == user.organisation_id
    if user.role == "mediator":
        return Disagreement.mediation_service == user.organisation_id
    return nothing
