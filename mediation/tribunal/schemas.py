"""What the tribunal pages and the JSON API take and give: msgspec structs, never table rows."""

from __future__ import annotations

import datetime as dt

import msgspec


class AppealInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    lodged_on: dt.date
    matters: list[str]
    tribunal_reference: str = ""
    registered_on: dt.date | None = None
    recommendations_requested: list[str] = []
    certificate_issued_on: dt.date | None = None


class TimetableInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Replaces the whole timetable: a date left out is cleared."""

    tribunal_reference: str = ""
    registered_on: dt.date | None = None
    la_received_on: dt.date | None = None
    response_directed: dt.date | None = None
    response_sent_on: dt.date | None = None
    evidence_due: dt.date | None = None
    bundle_due: dt.date | None = None
    hearing_on: dt.date | None = None


class OutcomesInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision_on: dt.date
    outcomes: dict[str, str]  # matter -> allowed, partly_allowed, dismissed, withdrawn, conceded


class UnopposedInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    notified_on: dt.date
    amendments_agreed: bool = False  # cease to maintain: the LA agreed to amend the plan
    order: str | None = None  # the API names the unopposed_* clock it expects; checked against the law


class OrderInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_type: str
    made_on: dt.date
    sent_on: dt.date | None = None


class RecommendationInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    body: str  # health (the ICB) or social_care (the LA)
    sections: list[str]
    details: str
    made_on: dt.date
    received_on: dt.date | None = None


class ActionInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    action: str
    done_on: dt.date
    note: str = ""


class MatterView(msgspec.Struct):
    matter: str
    label: str
    outcome: str
    outcome_label: str
    outcome_on: dt.date | None
    meaning: str


class ObligationView(msgspec.Struct):
    id: int
    kind: str
    kind_label: str
    order_type: str
    rule: str
    duty: str
    owed_by: int
    owed_by_name: str
    made_on: dt.date
    sent_on: dt.date | None
    due: dt.date
    practical_due: dt.date | None
    status: str  # open, breached (open and past due), met, cancelled
    done_on: dt.date | None
    action: str
    action_label: str
    note: str
    sections: list[str]
    details: str
    citation: str
    rule_status: str
    actions: list[str]


class AppealView(msgspec.Struct):
    lodged_on: dt.date
    tribunal_reference: str
    registered_on: dt.date | None
    recommendations_requested: list[str]
    certificate_issued_on: dt.date | None
    appeal_due: dt.date | None
    late: bool
    certificate_missing: bool
    flags: list[str]
    la_received_on: dt.date | None
    response_computed: dt.date | None
    response_directed: dt.date | None
    response_due: dt.date | None
    response_basis: str  # directed, computed, or "" when the LA has not received the appeal yet
    response_sent_on: dt.date | None
    evidence_due: dt.date | None
    bundle_due: dt.date | None
    hearing_on: dt.date | None
    decision_on: dt.date | None
    decision_expected: dt.date | None  # an estimate: usually 10 working days after the hearing
    unopposed_on: dt.date | None


class TrackerStep(msgspec.Struct):
    title: str
    on: dt.date | None
    status: str  # done, upcoming, overdue, unknown, flagged, estimate
    meaning: str


class TribunalView(msgspec.Struct):
    reference: str
    decision: str
    appeal_available: bool
    certificate_required: bool
    state: str
    deadline: dt.date | None  # the last day to appeal (or to make a discrimination claim)
    appeal: AppealView | None
    matters: list[MatterView]
    obligations: list[ObligationView]
    steps: list[TrackerStep]


class DutyRow(msgspec.Struct):
    id: int
    reference: str
    child_name: str
    kind: str
    kind_label: str
    duty: str
    made_on: dt.date
    sent_on: dt.date | None
    due: dt.date
    practical_due: dt.date | None
    status: str  # open or breached


class ResponseRow(msgspec.Struct):
    reference: str
    child_name: str
    tribunal_reference: str
    la_received_on: dt.date
    response_due: dt.date
    response_basis: str
    status: str


class LaCounts(msgspec.Struct):
    local_authority_id: int
    local_authority: str
    open: int
    breached: int


class ComplianceView(msgspec.Struct):
    organisation: str | None
    duties: list[DutyRow]
    responses: list[ResponseRow]
    counts: list[LaCounts]  # administrators: every LA's open and breached orders
