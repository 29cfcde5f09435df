"""What one case's mediation looks like to one user: the record, sessions, certificates, outcomes, the
mediation clocks, and the actions this user may take now. The page and the API both read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mediation.clocks.service import ClockView, clocks_for
from mediation.identity import CurrentUser
from mediation.mediation.booking import BOOKABLE_STATES, needs_summary
from mediation.mediation.certificates import KINDS, certificates_for
from mediation.mediation.common import may, record_of, routing_of
from mediation.mediation.invites import place_of, when
from mediation.mediation.outcome import OUTCOMES, outcomes_for
from mediation.mediation.tables import MediationSession, MediatorProfile
from mediation.organisations.tables import Organisation
from mediation.rules.lifecycle import STATE_LABELS

MEDIATION_RULES = {
    "contact_mediation_adviser",
    "certificate_after_decline",
    "notify_health_commissioner",
    "mediation_held_by_la",
    "mediation_held_by_icb",
    "mediation_notice",
    "certificate_unable_to_arrange",
    "certificate_after_mediation",
    "agreement_appealable",
    "agreement_non_appealable",
    "agreement_icb_tells_la",
    "agreement_override",
    "appeal",
}
CHOICE_LABELS = {
    "mediate": "Wants mediation",
    "decline": "Does not want mediation",
    "undecided": "Not decided yet",
}
ISSUABLE_STATES = {
    "mediation_declined",
    "mediation_requested",
    "session_arranged",
    "mediation_held",
    "agreement",
    "no_agreement",
}


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
    needs: list[str]
    sessions: list[SessionView]
    certificates: list[CertificateView]
    outcomes: list[OutcomeView]
    clocks: list[ClockView]
    actions: list[str]


def available_actions(
    user: CurrentUser, case: dict[str, Any], record: dict[str, Any] | None, issued: bool
) -> list[str]:
    """The actions this user may take on the case now, in the order the page shows them."""
    state = case["state"]
    routing = routing_of(case)
    pre_mediation = state in {"lodged", "mediation_advice", "mediation_requested", "session_arranged"}
    record = record or {}
    checks = {
        "assign_service": pre_mediation and routing.arranged_by is not None,
        "assign_mediator": pre_mediation and bool(case["mediation_service"]),
        "record_advice": state in {"lodged", "mediation_advice", "mediation_requested"}
        and routing.arranged_by is not None,
        "notify_icb": case["arranged_by"] == "health_commissioner"
        and bool(case["wants_mediation"])
        and record.get("icb_notified_on") is None
        and state in {"lodged", "mediation_advice", "mediation_requested"},
        "unable_to_arrange": state in {"mediation_requested", "session_arranged"}
        and record.get("unable_to_arrange_on") is None,
        "issue_certificate": routing.certificate_required
        and state in ISSUABLE_STATES
        and not issued
        and bool(case["mediation_service"]),
        "schedule": state in BOOKABLE_STATES and bool(case["mediation_service"]),
        "record_outcome": state == "session_arranged",
    }
    return [action for action, ok in checks.items() if ok and may(user, action, case)]


async def sessions_of(case_id: int) -> list[SessionView]:
    rows = (
        await MediationSession.select(
            MediationSession.all_columns(),
            MediationSession.venue.name.as_alias("venue_name"),
            MediationSession.venue.address.as_alias("venue_address"),
            MediationSession.mediator.account.full_name.as_alias("mediator_name"),
        )
        .where(MediationSession.disagreement == case_id)
        .order_by(MediationSession.starts_at)
    )
    return [
        SessionView(
            id=r["id"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            when=when(r["starts_at"], r["ends_at"]),
            place=place_of(r),
            remote=r["remote"],
            status=r["status"],
            mediator=r["mediator_name"],
            interpreter=r["interpreter"],
            sequence=r["sequence"],
            change_reason=r["change_reason"],
        )
        for r in rows
    ]


async def mediation_view(user: CurrentUser, case: dict[str, Any]) -> MediationView:
    record = await record_of(case["id"])
    certificates = await certificates_for(case["id"])
    service = None
    if case["mediation_service"]:
        org = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == case["mediation_service"])
            .first()
        )
        service = org["name"] if org else None
    mediator = None
    if record and record["mediator"]:
        row = (
            await MediatorProfile.select(MediatorProfile.account.full_name.as_alias("name"))
            .where(MediatorProfile.id == record["mediator"])
            .first()
        )
        mediator = row["name"] if row else None
    r = record or {}
    return MediationView(
        reference=case["reference"],
        state=case["state"],
        state_label=STATE_LABELS.get(case["state"], case["state"]),
        arranged_by=case["arranged_by"],
        certificate_required=routing_of(case).certificate_required,
        mediation_service=service,
        mediator=mediator,
        adviser_contacted_on=r.get("adviser_contacted_on"),
        choice=r.get("choice", ""),
        choice_label=CHOICE_LABELS.get(r.get("choice", ""), "Not recorded"),
        choice_on=r.get("choice_on"),
        icb_notified_on=r.get("icb_notified_on"),
        unable_to_arrange_on=r.get("unable_to_arrange_on"),
        unable_reason=r.get("unable_reason", ""),
        concluded_on=r.get("concluded_on"),
        outcome=r.get("outcome", ""),
        agreement_date=r.get("agreement_date"),
        agreement_text=r.get("agreement_text", ""),
        follow_up_order=r.get("follow_up_order", ""),
        agreed_due=r.get("agreed_due"),
        needs=needs_summary(case),
        sessions=await sessions_of(case["id"]),
        certificates=[
            CertificateView(
                number=c["number"],
                kind=c["kind"],
                kind_label=KINDS[c["kind"]],
                issued_on=c["issued_on"],
                document_id=c["document"],
            )
            for c in certificates
        ],
        outcomes=[
            OutcomeView(
                issue=o["issue"],
                outcome=o["outcome"],
                outcome_label=OUTCOMES[o["outcome"]],
                note=o["note"],
                appealable=o["appealable"],
            )
            for o in await outcomes_for(case["id"])
        ],
        clocks=[c for c in await clocks_for(case["id"]) if c.rule in MEDIATION_RULES],
        actions=available_actions(user, case, record, bool(certificates)),
    )
