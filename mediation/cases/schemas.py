"""The case-events API at the HTTP edge (api-contract.md "Cases through the API"): lodging a
disagreement and recording an event, as msgspec structs. Each event is its own struct, tagged by `event`,
so a field that does not belong to an event is refused."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

Text = Annotated[str, msgspec.Meta(max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class ChildIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    date_of_birth: dt.date


Channel = Literal["email", "post", "phone"]


class FamilyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    postal_address: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    # Optional (issue 15): how the family prefers to hear (default email if given, else post), and
    # whether letters and documents go to them in large print.
    preferred_contact: Channel | None = None
    large_print: bool = False


class ContactIn(msgspec.Struct, forbid_unknown_fields=True):
    """A family lodging for itself: its contact details, all optional (email defaults to the account's)."""

    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    postal_address: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    preferred_contact: Channel | None = None
    large_print: bool = False


class MatterIn(msgspec.Struct, forbid_unknown_fields=True):
    section: str
    disagreement: Text = ""
    wanted: Text = ""


class LodgeRequest(msgspec.Struct, forbid_unknown_fields=True):
    local_authority: Code  # ONS GSS code, e.g. E06000042
    decision: str
    decision_notice_sent: dt.date
    child: ChildIn
    sections: list[str] = []
    received_on: dt.date | None = None
    wants_mediation: bool = False
    family: FamilyIn | None = None  # required when LA staff lodge for a family
    matters: list[MatterIn] = []
    health_provision_sought: Text = ""
    lodged_by: Literal["parent_carer", "young_person", "advocate"] = "parent_carer"
    contact: ContactIn | None = None  # a family lodging for itself (LA staff give `family` instead)


class EventIn(msgspec.Struct, tag_field="event", forbid_unknown_fields=True, kw_only=True):
    on: dt.date | None = None  # the day it happened; defaults to today


class AdviserContacted(EventIn, tag="adviser_contacted"):
    pass


class MediationDeclined(EventIn, tag="mediation_declined"):
    pass


class MediationRequested(EventIn, tag="mediation_requested"):
    pass


class HealthCommissionerNotified(EventIn, tag="health_commissioner_notified"):
    pass


class MediationCannotBeArranged(EventIn, tag="mediation_cannot_be_arranged"):
    reason: Text = ""


class MatterResult(msgspec.Struct, forbid_unknown_fields=True):
    issue: str  # a plan section, or "decision"
    outcome: Literal["agreed", "partly_agreed", "not_agreed"]
    note: Text = ""


class MediationHeld(EventIn, tag="mediation_held"):
    outcome: Literal["agreement", "no_agreement"]
    order: str | None = None  # with an agreement on appealable matters: the matching order_* rule
    agreement_date: dt.date | None = None  # defaults to `on`
    agreement_text: Text = ""
    agreed_due: dt.date | None = None  # reg 42(5): a different timescale agreed in writing
    results: list[MatterResult] | None = None  # issue by issue; defaults to every issue as `outcome`


class CertificateIssued(EventIn, tag="certificate_issued"):
    number: Annotated[str, msgspec.Meta(max_length=60)] = ""  # an outside adviser's certificate number


class AppealMade(EventIn, tag="appeal_made"):
    matters: list[str] | None = None  # defaults to every appealable matter in dispute
    tribunal_reference: Annotated[str, msgspec.Meta(max_length=40)] = ""


class LaReceivedAppeal(EventIn, tag="la_received_appeal"):
    pass


class OrderMade(EventIn, tag="order_made"):
    order: str  # an order_* rule id
    sent_on: dt.date | None = None  # when the tribunal sent it, if later


class Unopposed(EventIn, tag="unopposed"):
    order: str  # the matching unopposed_* rule id


class DutyDone(EventIn, tag="duty_done"):
    rule: str
    action: str | None = None  # for tribunal duties: what was done (GET .../tribunal lists the actions)
    note: Text = ""


class Withdrawn(EventIn, tag="withdrawn"):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class Closed(EventIn, tag="closed"):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class Assigned(EventIn, tag="assigned"):
    officer: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]  # a staff email of the handling body


class NoteAdded(EventIn, tag="note_added"):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]  # internal: never shown to the family


class ContactChanged(EventIn, tag="contact_changed"):
    """The family's contact details as they now are (all of them: a field left out is cleared)."""

    preferred_contact: Channel
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    postal_address: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    large_print: bool = False


EventRequest = (
    AdviserContacted
    | MediationDeclined
    | MediationRequested
    | HealthCommissionerNotified
    | MediationCannotBeArranged
    | MediationHeld
    | CertificateIssued
    | AppealMade
    | LaReceivedAppeal
    | OrderMade
    | Unopposed
    | DutyDone
    | Withdrawn
    | Closed
    | Assigned
    | NoteAdded
    | ContactChanged
)


class RerouteRequest(msgspec.Struct, forbid_unknown_fields=True):
    sections: list[str]
    reason: str
