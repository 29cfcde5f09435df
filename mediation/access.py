"""Who may see what and who may do what, in one place.

`visible_cases` is the WHERE clause for every case query: a family sees only its own cases; LA staff only
their LA's; ICB staff only cases where their ICB is a party; mediators only cases assigned to their service;
admins manage reference data, not cases. A case someone may not see looks exactly like a missing one.

`PERMISSIONS` names every action a person can take: each case event (api-contract.md's table and the
pages' own), and each page or endpoint. Every route handler declares its action (`opt={"action": ...}`);
the route guard checks the role, and the case event service checks the relation to the case (the body
arranging mediation, the body a clock is owed by). The authorisation matrix test reads this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from mediation.cases.model import Disagreement as Case
from mediation.cases.tables import Disagreement
from mediation.db_typing import Condition
from mediation.identity import CurrentUser

FAMILY, LA, ICB, MEDIATOR, ADMIN = "family", "la_coordinator", "health_commissioner", "mediator", "admin"
ROLES = (FAMILY, LA, ICB, MEDIATOR, ADMIN)
STAFF = frozenset({LA, ICB, MEDIATOR, ADMIN})
SIGNED_IN = frozenset(ROLES)
# The role that acts for each body a clock can be owed by.
ROLE_FOR_ACTOR = {
    "family": FAMILY,
    "local_authority": LA,
    "health_commissioner": ICB,
    "mediator": MEDIATOR,
    "mediation_adviser": MEDIATOR,  # the independent mediation service gives the advice
}


def visible_cases(user: CurrentUser | None) -> Condition:
    """A WHERE clause restricting disagreements to those this user may see."""
    nothing = WhereRaw("1 = 0")
    if user is None:
        return nothing
    if user.role == FAMILY:
        return Disagreement.family == user.id
    if user.organisation_id is None:
        return nothing
    if user.role == LA:
        return Disagreement.local_authority == user.organisation_id
    if user.role == ICB:
        return Disagreement.icb == user.organisation_id
    if user.role == MEDIATOR:
        return Disagreement.mediation_service == user.organisation_id
    return nothing


def visible_case_ids(user: CurrentUser | None) -> Any:
    """The ids of the cases this user may see, as a subquery for a lower layer's rows that name a case by
    id (`notify/outbox.py`: the messages about an organisation's cases)."""
    return Disagreement.select(Disagreement.id).where(visible_cases(user))


# --- Relations to a case, beyond being able to see it ---


def arranging(user: CurrentUser, case: Case, _: str | None) -> bool:
    """The body that arranges mediation: the ICB on a health-only case, the LA otherwise."""
    return {LA: "local_authority", ICB: "health_commissioner"}.get(user.role) == case.arranged_by


def handling(user: CurrentUser, case: Case, detail: str | None) -> bool:
    """The body handling the case: the arranging body, or the LA where mediation does not apply (a
    disability discrimination claim)."""
    return user.role == LA if case.arranged_by is None else arranging(user, case, detail)


def family_or_handling(user: CurrentUser, case: Case, detail: str | None) -> bool:
    """The family on its own case (it sees no other), or the body handling the case."""
    return user.role == FAMILY or handling(user, case, detail)


def arranging_or_service(user: CurrentUser, case: Case, detail: str | None) -> bool:
    return user.role == MEDIATOR or arranging(user, case, detail)


def clock_owner(user: CurrentUser, case: Case, rule: str | None) -> bool:
    """The body a running clock is owed by (`rule` is the clock's rule). Where no body's clock of that rule
    runs, there is nobody to refuse: the lifecycle says why it cannot happen (409)."""
    owners = {ROLE_FOR_ACTOR.get(c.actor) for c in case.running_clocks if c.rule == rule and c.owed_by_body}
    return not owners or user.role in owners


def anyone(user: CurrentUser, case: Case, detail: str | None) -> bool:
    return True


Relation = Callable[[CurrentUser, Case, str | None], bool]


@dataclass(frozen=True)
class Permission:
    roles: frozenset[str]
    relation: Relation = anyone
    anonymous: bool = False  # open to people who are not signed in
    says: str = "You do not have permission to do this"


def _p(*roles: str, relation: Relation = anyone, says: str = "") -> Permission:
    return Permission(frozenset(roles), relation, says=says or "You do not have permission to do this")


PUBLIC = Permission(SIGNED_IN, anonymous=True)

# fmt: off
PERMISSIONS: dict[str, Permission] = {
    # --- Case events (api-contract.md "who may record it"; the pages' own events after them) ---
    "adviser_contacted": _p(FAMILY, LA, ICB, MEDIATOR),
    "mediation_declined": _p(FAMILY, LA, ICB, MEDIATOR),
    "mediation_requested": _p(FAMILY, LA, ICB),
    "health_commissioner_notified": _p(
        LA, says="Only the local authority records that it told the health commissioner"),
    "mediation_cannot_be_arranged": _p(
        LA, ICB, relation=arranging, says="Only the body arranging mediation can record this"),
    "mediation_held": _p(LA, ICB, MEDIATOR),
    "certificate_issued": _p(MEDIATOR, LA, ICB),
    "appeal_made": _p(FAMILY, LA),
    "la_received_appeal": _p(LA),
    "order_made": _p(LA, says="Only the local authority records the tribunal's orders"),
    "unopposed": _p(LA, says="Only the local authority tells the tribunal it will not oppose the appeal"),
    "duty_done": _p(LA, ICB, MEDIATOR, relation=clock_owner,
                    says="Only the body that owes this duty can record it done"),
    "withdrawn": _p(FAMILY, LA),
    "service_assigned": _p(LA, ICB, relation=arranging, says="Only the body arranging mediation can do this"),
    "mediator_assigned": _p(MEDIATOR, says="Only the mediation service assigns its mediators"),
    "session_offered": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                          says="Only the body arranging mediation or the mediation service can do this"),
    "session_booked": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                         says="Only the body arranging mediation or the mediation service can do this"),
    "offer_accepted": _p(FAMILY),
    "session_moved": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                        says="Only the body arranging mediation or the mediation service can do this"),
    "session_cancelled": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                            says="Only the body arranging mediation or the mediation service can do this"),
    # Officers attending a meeting without an account: named by the body arranging mediation.
    "attendee_named": _p(LA, ICB, relation=arranging, says="Only the body arranging mediation can do this"),
    "attendee_changed": _p(LA, ICB, relation=arranging, says="Only the body arranging mediation can do this"),
    "attendee_removed": _p(LA, ICB, relation=arranging, says="Only the body arranging mediation can do this"),
    "timetable_updated": _p(LA, says="Only the local authority records the tribunal's timetable"),
    "decision_recorded": _p(LA, says="Only the local authority records the tribunal's decision"),
    "recommendation_made": _p(LA, says="Only the local authority records the tribunal's recommendations"),
    "rerouted": _p(LA, ICB, says="Only the local authority or the health commissioner can re-route a case"),
    "closed": _p(LA, ICB, relation=handling, says="Only the body handling the case can close it"),
    "complied": _p(LA, ICB),
    # The handling body's own work: assigning an officer and internal notes (never the family's to see).
    "assigned": _p(LA, ICB, relation=handling, says="Only the body handling the case assigns its officers"),
    "note_added": _p(LA, ICB, relation=handling, says="Only the body handling the case keeps notes on it"),
    # The service records it when a body's successor takes over (`cases/succession.py`); an admin may run it.
    "succeeded": _p(ADMIN, says="Only an administrator passes cases to a successor body"),
    "contact_changed": _p(FAMILY, LA, ICB, relation=family_or_handling,
                          says="Only the family or the body handling the case changes the contact details"),
    # --- Pages and endpoints ---
    "public": PUBLIC,
    "sign_in": PUBLIC,
    "signed_in": _p(*ROLES),
    "list_cases": _p(*ROLES),
    "view_case": _p(FAMILY, LA, ICB, MEDIATOR),
    "lodge": _p(FAMILY, says="Only families lodge a disagreement here"),
    "lodge_by_api": _p(FAMILY, LA, says="Only a family, or the local authority for a family, lodges a case"),
    "record_event": _p(FAMILY, LA, ICB, MEDIATOR),
    "view_tribunal": _p(FAMILY, LA, ICB, says="Only the appeal's parties see the tribunal appeal"),
    "schedule": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                   says="Only the body arranging mediation or the mediation service can do this"),
    "record_outcome": _p(LA, ICB, MEDIATOR),
    "act_on_duty": _p(LA, ICB, says="Only the body that owes a duty records what it did"),
    "view_compliance": _p(LA, ICB, ADMIN),
    "manage_mediation_service": _p(MEDIATOR),
    "view_notices": _p(FAMILY, LA),
    "issue_notices": _p(LA),
    "edit_notice_templates": _p(LA, ADMIN),
    "disagree_with_notice": _p(FAMILY),
    "view_reports": _p(LA, ICB, ADMIN),
    "view_organisations": _p(LA, ICB, MEDIATOR, ADMIN),
    "administer": _p(ADMIN),
    # Meeting polls: the coordinator reads the answers; each invitee answers by their own signed link.
    "view_meeting_poll": _p(LA, ICB, MEDIATOR, relation=arranging_or_service,
                            says="Only the body arranging mediation or the mediation service can do this"),
    "answer_meeting_poll": PUBLIC,
    "reply_by_code": PUBLIC,  # a posted offer's short code, typed at /reply (throttled per client)
    "accessibility_statement": PUBLIC,
    # A coordinator's view of their own organisation's cases' emails and letters, and the sweep's next sends.
    "view_outbox": _p(LA, ICB, says="Only local authority and health commissioner staff see an outbox"),
    "view_reminders_due": _p(LA, ICB, says="Only local authority and health commissioner staff see this"),
    # The print queue (issue 15): each organisation's own staff print and post its letters.
    "print_letters": _p(LA, ICB, MEDIATOR, says="Only an organisation's staff print and post its letters"),
}
# fmt: on
CASE_EVENTS = frozenset(
    {
        name
        for name in PERMISSIONS
        if name
        not in {
            "public",
            "sign_in",
            "signed_in",
            "list_cases",
            "view_case",
            "lodge",
            "lodge_for_family",
            "record_event",
            "view_tribunal",
            "schedule",
            "record_outcome",
            "act_on_duty",
            "view_compliance",
            "manage_mediation_service",
            "view_notices",
            "issue_notices",
            "edit_notice_templates",
            "disagree_with_notice",
            "view_reports",
            "view_organisations",
            "administer",
            "view_meeting_poll",
            "answer_meeting_poll",
            "reply_by_code",
            "accessibility_statement",
            "view_outbox",
            "view_reminders_due",
            "print_letters",
        }  # fmt: skip
    }
)


def permission(action: str) -> Permission:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"no permission is declared for action {action!r}") from None


def role_may(user: CurrentUser | None, action: str) -> bool:
    """Whether this person's role may ever take `action` (the route guard's check)."""
    rule = permission(action)
    if user is None:
        return rule.anonymous
    return user.role in rule.roles


def may(user: CurrentUser | None, action: str, case: Case, detail: str | None = None) -> bool:
    """Whether this person may take `action` on a case they can see (`detail`: the rule of a duty)."""
    rule = permission(action)
    return user is not None and user.role in rule.roles and rule.relation(user, case, detail)


def refusal(action: str) -> str:
    return permission(action).says
