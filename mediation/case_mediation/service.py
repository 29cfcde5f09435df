"""What one case's mediation looks like to one user: the record, sessions, certificates, outcomes, the
mediation clocks, and the actions this user may take now. The page and the API both read it."""

from __future__ import annotations

from mediation import access, timekeeping
from mediation.case_mediation.schemas import CertificateView, MediationView, OutcomeView, SessionView
from mediation.cases.model import Disagreement
from mediation.certificates.service import KINDS, certificates_for, due_kind
from mediation.clocks.service import view_of
from mediation.identity import CurrentUser
from mediation.outcomes.service import OUTCOMES, outcomes_for
from mediation.scheduling.tables import MediationSession
from mediation.services.tables import MediatorProfile
from mediation.sessions.invites import place_of, when
from mediation.sessions.service import needs_summary

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


# The page's forms, each the case event it records (the first form needs the mediation service's page).
FORM_EVENTS = {
    "assign_service": "service_assigned",
    "assign_mediator": "mediator_assigned",
    "record_advice": "adviser_contacted",
    "notify_icb": "health_commissioner_notified",
    "unable_to_arrange": "mediation_cannot_be_arranged",
    "issue_certificate": "certificate_issued",
    "schedule": "session_booked",
    "record_outcome": "mediation_held",
}


def available_actions(user: CurrentUser, case: Disagreement) -> list[str]:
    """The forms this user may use on the case now: the lifecycle allows the event and the permission
    table lets this user record it, the same two checks the event itself makes."""
    allowed = set(case.allowed_events)
    # The adviser form also records the family's choice, after the contact is already recorded.
    advice = {"adviser_contacted", "mediation_requested", "mediation_declined"} & allowed
    found = []
    for form, event in FORM_EVENTS.items():
        events = advice if form == "record_advice" else ({event} & allowed)
        if form == "schedule":
            events = {"session_booked", "session_offered"} & allowed
        if any(access.may(user, e, case) for e in events):
            found.append(form)
    return found


async def sessions_of(case_id: int) -> list[SessionView]:
    rows = (
        await MediationSession.select(
            *MediationSession.all_columns(),
            MediationSession.venue.name.as_alias("venue_name"),
            MediationSession.venue.address.as_alias("venue_address"),
            MediationSession.mediator.account.full_name.as_alias("mediator_name"),  # type: ignore[union-attr]  # Piccolo: a second foreign-key hop is typed Column
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


async def mediation_view(user: CurrentUser, case: Disagreement) -> MediationView:
    certificates = await certificates_for(case.id)
    mediator = None
    record = case.mediation
    if record.mediator_id:
        row = (
            await MediatorProfile.select(MediatorProfile.account.full_name.as_alias("name"))
            .where(MediatorProfile.id == record.mediator_id)
            .first()
        )
        mediator = row["name"] if row else None
    today = timekeeping.today()
    return MediationView(
        reference=case.reference,
        state=case.state,
        state_label=case.state_label,
        arranged_by=case.arranged_by,
        certificate_required=case.certificate_required,
        mediation_service=case.mediation_service_name,
        mediator=mediator,
        adviser_contacted_on=record.adviser_contacted_on,
        choice=record.choice,
        choice_label=CHOICE_LABELS.get(record.choice, "Not recorded"),
        choice_on=record.choice_on,
        icb_notified_on=record.icb_notified_on,
        unable_to_arrange_on=record.unable_to_arrange_on,
        unable_reason=record.unable_reason,
        concluded_on=record.concluded_on,
        outcome=record.outcome,
        agreement_date=record.agreement_date,
        agreement_text=record.agreement_text,
        follow_up_order=record.follow_up_order,
        agreed_due=record.agreed_due,
        outside_certificate_on=record.outside_certificate_on,
        outside_certificate_number=record.outside_certificate_number,
        certificate_due=due_kind(case),
        needs=needs_summary(case),
        sessions=await sessions_of(case.id),
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
            for o in await outcomes_for(case.id)
        ],
        clocks=[view_of(c, today) for c in case.clocks if c.rule in MEDIATION_RULES],
        actions=available_actions(user, case),
    )
