"""A disagreement as the service reasons about it: one typed aggregate, loaded once per request by
`cases.repository.find_case` and passed down to every use case, page and check.

Plain Python: no web or database imports. Routing, the lifecycle's facts and each clock's status are
worked out here from what was loaded, so no other module re-derives them. A clock, its title and who must
act are the clocks' own (`clocks/model.py: CaseClock`), named here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from mediation import timekeeping
from mediation.clocks.model import ACTOR_LABELS as ACTOR_LABELS
from mediation.clocks.model import CaseClock as CaseClock
from mediation.clocks.model import rule_title as rule_title
from mediation.rules.lifecycle import STATE_LABELS, CaseFacts, allowed_events
from mediation.rules.routing import RoutingDecision, route


@dataclass(frozen=True)
class MediationProgress:
    """What has happened at the mediation stage (the case's `mediation_record` and its sessions)."""

    adviser_contacted_on: dt.date | None = None
    choice: str = ""
    choice_on: dt.date | None = None
    icb_notified_on: dt.date | None = None
    unable_to_arrange_on: dt.date | None = None
    unable_reason: str = ""
    concluded_on: dt.date | None = None
    outcome: str = ""
    agreement_date: dt.date | None = None
    agreement_text: str = ""
    follow_up_order: str = ""
    agreed_due: dt.date | None = None
    outside_certificate_on: dt.date | None = None
    outside_certificate_number: str = ""
    mediator_id: int | None = None
    live_sessions: int = 0  # booked, not yet held or cancelled
    last_session_on: dt.date | None = None  # the latest booked or held meeting's day


@dataclass(frozen=True)
class AppealProgress:
    """The tribunal appeal on the case, if one is recorded."""

    id: int
    lodged_on: dt.date
    la_received_on: dt.date | None = None
    response_sent_on: dt.date | None = None
    hearing_on: dt.date | None = None
    decision_on: dt.date | None = None
    unopposed_on: dt.date | None = None


@dataclass(frozen=True)
class Succession:
    """A body on the case that has ended, and the one that answers for it now (a merger's successor)."""

    column: str  # local_authority, icb or mediation_service
    from_id: int
    from_name: str
    to_id: int
    to_name: str
    on: dt.date  # the day the successor took over


@dataclass(frozen=True)
class Disagreement:
    id: int
    reference: str
    state: str
    family_id: int
    family_name: str
    family_email: str
    local_authority_id: int
    local_authority_name: str
    local_authority_code: str
    icb_id: int | None
    icb_name: str | None
    mediation_service_id: int | None
    mediation_service_name: str | None
    child_name: str
    child_date_of_birth: dt.date
    decision: str
    decision_notice_sent: dt.date
    received_on: dt.date
    sections: tuple[str, ...]
    arranged_by: str | None
    next_due_date: dt.date | None
    created_at: dt.datetime
    lodged_by: str = "parent_carer"
    represented_person: str = ""
    advocate_consent: bool = False
    wants_mediation: bool | None = None
    health_provision_sought: str = ""
    accessibility: Mapping[str, str] = field(default_factory=dict)
    contact_by: str = "email"
    contact_email: str = ""
    contact_phone: str = ""
    postal_address: str = ""
    large_print: bool = False
    routing_reason: str = ""
    assigned_to_id: int | None = None  # the handling body's officer dealing with the case
    assigned_to_email: str | None = None
    clocks: tuple[CaseClock, ...] = ()
    mediation: MediationProgress = field(default_factory=MediationProgress)
    appeal: AppealProgress | None = None
    # Bodies on the case that have ended with a successor, not yet passed on (`cases/succession.py`).
    successions: tuple[Succession, ...] = ()
    as_of: dt.date | None = None  # the day it was loaded: "today" for the facts that depend on the date

    @property
    def written_email(self) -> str:
        """Where written messages go by email ("" for post): by post when the family asked for post and gave
        an address; otherwise their contact email, or their account's when they gave no address either."""
        if self.contact_by == "post" and self.postal_address.strip():
            return ""
        return self.contact_email or ("" if self.postal_address.strip() else self.family_email)

    @cached_property
    def routing(self) -> RoutingDecision:
        return route(self.decision, list(self.sections))

    @property
    def scope(self) -> tuple[str, ...]:
        return self.routing.scope

    @property
    def certificate_required(self) -> bool:
        return self.routing.certificate_required

    @property
    def appeal_available(self) -> bool:
        return self.routing.appeal_available

    @property
    def health_only(self) -> bool:
        return self.arranged_by == "health_commissioner"

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def arranging_organisation_id(self) -> int | None:
        """The body that arranges mediation: the ICB on a health-only case, otherwise the LA."""
        return self.icb_id if self.health_only else self.local_authority_id

    @property
    def handling_organisation_id(self) -> int:
        """The body handling the case: the arranging body, or the LA where mediation does not apply."""
        return (
            self.local_authority_id
            if self.arranged_by is None
            else (self.arranging_organisation_id or self.local_authority_id)
        )

    @property
    def running_clocks(self) -> tuple[CaseClock, ...]:
        return tuple(c for c in self.clocks if c.running)

    def running_clock(self, rule: str, actor: str | None = None) -> CaseClock | None:
        for clock in self.clocks:
            if clock.running and clock.rule == rule and (actor is None or clock.actor == actor):
                return clock
        return None

    def latest_clock(self, rule: str) -> CaseClock | None:
        found = [c for c in self.clocks if c.rule == rule]
        return max(found, key=lambda c: c.id) if found else None

    @cached_property
    def facts(self) -> CaseFacts:
        return CaseFacts.from_routing(
            self.routing,
            adviser_contacted=self.mediation.adviser_contacted_on is not None,
            commissioner_notified=self.mediation.icb_notified_on is not None,
            cannot_arrange_recorded=self.mediation.unable_to_arrange_on is not None,
            has_mediation_service=self.mediation_service_id is not None,
            live_sessions=self.mediation.live_sessions,
            la_received_appeal=self.appeal is not None and self.appeal.la_received_on is not None,
            appeal_recorded=self.appeal is not None,
            la_response_sent=self.appeal is not None and self.appeal.response_sent_on is not None,
            send_appeal=self.decision != "disability_discrimination",
            family_window_open=any(
                c.running and c.actor == "family" and c.due >= (self.as_of or timekeeping.today())
                for c in self.clocks
            ),
            running=frozenset((c.rule, c.actor) for c in self.clocks if c.running),
            met=frozenset(c.rule for c in self.clocks if c.stored_status == "met"),
            succession_due=bool(self.successions),
        )

    @cached_property
    def allowed_events(self) -> tuple[str, ...]:
        """Once per loaded case: the case page, its actions and its tabs each ask (about 40 guard checks)."""
        return allowed_events(self.state, self.facts)

    def next_body_due(self) -> dt.date | None:
        """The earliest due date of a running clock on which a body (never the family) must act."""
        return min((c.due for c in self.clocks if c.running and c.owed_by_body), default=None)

    def next_family_due(self) -> CaseClock | None:
        """The family's own nearest running time limit (to appeal, to contact an adviser)."""
        mine = [c for c in self.clocks if c.running and c.actor == "family"]
        return min(mine, key=lambda c: c.due) if mine else None
