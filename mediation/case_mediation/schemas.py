"""A case's mediation as the page and the API show it (msgspec: the HTTP edge)."""

from __future__ import annotations

import datetime as dt

import msgspec

from mediation.clocks.service import ClockView
from mediation.scheduling.service import AwareDatetime


class SessionView(msgspec.Struct):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    when: str
    place: str
    remote: bool
    status: str
    mediator: str
    interpreter: str
    sequence: int
    change_reason: str


class CertificateView(msgspec.Struct):
    number: str
    kind: str
    kind_label: str
    issued_on: dt.date
    document_id: int


class OutcomeView(msgspec.Struct):
    issue: str
    outcome: str
    outcome_label: str
    note: str
    appealable: bool


class MediationView(msgspec.Struct):
    reference: str
    state: str
    state_label: str
    arranged_by: str | None
    certificate_required: bool
    mediation_service: str | None
    mediator: str | None
    adviser_contacted_on: dt.date | None
    choice: str
    choice_label: str
    choice_on: dt.date | None
    icb_notified_on: dt.date | None
    unable_to_arrange_on: dt.date | None
    unable_reason: str
    concluded_on: dt.date | None
    outcome: str
    agreement_date: dt.date | None
    agreement_text: str
    follow_up_order: str
    agreed_due: dt.date | None
    outside_certificate_on: dt.date | None
    outside_certificate_number: str
    certificate_due: str | None  # the kind of certificate whose clock runs
    needs: list[str]
    sessions: list[SessionView]
    certificates: list[CertificateView]
    outcomes: list[OutcomeView]
    clocks: list[ClockView]
    actions: list[str]


# The mediation API's own bodies (case_mediation/api.py).
class Slot(msgspec.Struct):
    starts_at: dt.datetime
    ends_at: dt.datetime


class SlotsResponse(msgspec.Struct):
    slots: list[Slot]
    reasons: list[str]
    consequence: str
    window_end: dt.date | None


class BookingResponse(msgspec.Struct):
    session_id: int
    mediation: MediationView


class RescheduleRequest(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: AwareDatetime
    reason: str
    shorter_notice_consent: bool = False


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: str
