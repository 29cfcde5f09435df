"""Mediation certificates (CFA s.55(4)-(5)): numbered per service and year, issued as a PDF and an
accessible HTML page; the issue date starts the one-month limb of the appeal deadline (HESC r.20(1)(c))."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
from typing import Any

from mediation import timekeeping
from mediation.advice.service import save_record
from mediation.advice.tables import MediationRecord
from mediation.cases import events
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.cases.tables import CaseDocument
from mediation.certificates.tables import MediationCertificate
from mediation.db import is_postgres
from mediation.identity import CurrentUser
from mediation.notify.pdf import write_pdf
from mediation.notify.service import queue_for_person
from mediation.organisations.tables import Organisation
from mediation.rules.deadlines import compute_deadline
from mediation.rules.routing import DECISION_LABELS
from mediation.settings import settings

CERTIFICATE_CLOCKS = {
    "after_decline": "certificate_after_decline",
    "unable_to_arrange": "certificate_unable_to_arrange",
    "after_mediation": "certificate_after_mediation",
}

KINDS = {
    "after_decline": "The family does not wish to pursue mediation",
    "unable_to_arrange": "Mediation could not be arranged within 30 days",
    "after_mediation": "Mediation has taken place",
}


def due_kind(case: Disagreement) -> str | None:
    """Which certificate is due now: the one whose clock runs (the lifecycle allows only then)."""
    for kind, rule in CERTIFICATE_CLOCKS.items():
        if case.running_clock(rule) is not None:
            return kind
    return None


def _render(template: str, **context: Any) -> str:
    from mediation.notify.letters import _environment

    return _environment().get_template(template).render(**context)


async def _next_sequence(service_id: int, year: int) -> int:
    if is_postgres():
        # Serialise numbering per service and year until this transaction ends; the unique index backs it.
        await MediationCertificate.raw(
            "SELECT pg_advisory_xact_lock(7215005, {})", service_id * 10_000 + year
        )
    rows = await MediationCertificate.raw(
        "SELECT COALESCE(MAX(sequence), 0) AS last FROM mediation_certificate "
        "WHERE service = {} AND year = {}",
        service_id,
        year,
    )
    return int(rows[0]["last"]) + 1


async def issue_certificate(
    case: Disagreement, issued_on: dt.date | None, *, actor: CurrentUser, number: str = ""
) -> Disagreement:
    """`certificate_issued`: stops the running certificate clock and recomputes the appeal deadline.

    With a mediation service on the case, the service issues its numbered certificate here (PDF, HTML page,
    sent to the family). Without one, the LA or ICB records a certificate an outside adviser issued."""
    label = "the date the certificate is issued"
    events.check(case, "certificate_issued", actor=actor, on=issued_on, on_field="issued-day", label=label)
    assert issued_on is not None
    kind = due_kind(case)
    assert kind is not None  # the lifecycle's certificate_due guard
    if case.mediation_service_id is None:
        return await _record_outside_certificate(case, kind, issued_on, number.strip(), actor)
    routing = case.routing
    service = (
        await Organisation.select(Organisation.name, Organisation.code)
        .where(Organisation.id == case.mediation_service_id)
        .first()
    )
    assert service is not None, "a certificate is issued only by the case's mediation service"
    appeal_due = None
    if routing.appeal_available:
        appeal_due = compute_deadline(
            "appeal",
            {"notice_sent": case.decision_notice_sent, "certificate_issued": issued_on},
            decision_date=case.decision_notice_sent,
        ).due
    found: dict[str, str] = {}

    async def writes(change: Change) -> None:
        fresh = change.case
        sequence = await _next_sequence(fresh.mediation_service_id or 0, issued_on.year)
        certificate_number = f"{service['code']}-{issued_on.year}-{sequence:04d}"
        found["number"] = certificate_number
        context = {
            "number": certificate_number,
            "kind": kind,
            "kind_label": KINDS[kind],
            "issued_on": issued_on,
            "service_name": service["name"],
            "case": fresh,
            "family_name": fresh.family_name,
            "la_name": fresh.local_authority_name,
            "decision_label": DECISION_LABELS.get(fresh.decision, fresh.decision),
            "record": fresh.mediation,
            "appeal_due": appeal_due,
            "issued_by": actor.full_name,
        }
        body = _render("mediation/_certificate_body.html", **context)
        document = _render(
            "mediation/certificate_pdf.html",
            body=body,
            number=certificate_number,
            large_print=fresh.large_print,  # the family asked for large print documents
            service_name=service["name"],  # the issuing service's mark heads the PDF
        )
        pdf = await asyncio.to_thread(functools.partial(write_pdf, document))
        now = timekeeping.now()
        doc = CaseDocument(
            disagreement=fresh.id,
            kind="mediation_certificate",
            filename=f"mediation-certificate-{certificate_number}.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            content=pdf,
            uploaded_by=actor.id,
            uploaded_at=now,
        )
        await doc.save()
        await MediationCertificate.insert(
            MediationCertificate(
                disagreement=fresh.id,
                kind=kind,
                number=certificate_number,
                service=fresh.mediation_service_id,
                year=issued_on.year,
                sequence=sequence,
                issued_on=issued_on,
                issued_by=actor.id,
                document=doc.id,
                html=body,
                created_at=now,
            )
        )
        link = f"{settings.base_url}/cases/{fresh.reference}/mediation/certificates/{certificate_number}"
        await queue_for_person(
            email=fresh.written_email or None,
            name=fresh.family_name,
            address=fresh.postal_address,
            subject=f"Your mediation certificate {certificate_number}",
            body_text=f"Your mediation certificate {certificate_number} for disagreement {fresh.reference} "
            "is attached.\n\n"
            f"You can also read it online: {link}",
            dedupe_key=f"certificate:{certificate_number}",
            disagreement_id=fresh.id,
            organisation_id=fresh.mediation_service_id,  # the service that issued it posts it
            forbidden_names=[fresh.child_name],
            attachments=[
                {"document_id": int(doc.id), "filename": doc.filename, "content_type": "application/pdf"}
            ],
        )

    return await events.record(
        case,
        "certificate_issued",
        actor=actor,
        on=issued_on,
        summary=f"Mediation certificate issued: {KINDS[kind].lower()}",
        data={"kind": kind},
        writes=writes,
        on_field="issued-day",
        label=label,
    )


async def _record_outside_certificate(
    case: Disagreement, kind: str, issued_on: dt.date, number: str, actor: CurrentUser
) -> Disagreement:
    async def writes(change: Change) -> None:
        await save_record(
            change.case.id,
            {
                MediationRecord.outside_certificate_on: issued_on,
                MediationRecord.outside_certificate_number: number,
            },
        )

    said = f" (number {number})" if number else ""
    return await events.record(
        case,
        "certificate_issued",
        actor=actor,
        on=issued_on,
        summary=f"Mediation certificate{said} issued by the mediation adviser: {KINDS[kind].lower()}",
        data={"kind": kind, "number": number, "reason": f"the mediation adviser issued a certificate{said}"},
        writes=writes,
        on_field="issued-day",
        label="the date the certificate is issued",
    )


async def certificates_for(case_id: int) -> list[dict[str, Any]]:
    return (
        await MediationCertificate.select(
            MediationCertificate.id,
            MediationCertificate.kind,
            MediationCertificate.number,
            MediationCertificate.issued_on,
            MediationCertificate.document,
        )
        .where(MediationCertificate.disagreement == case_id)
        .order_by(MediationCertificate.id)
    )


async def certificate(case_id: int, number: str) -> dict[str, Any] | None:
    return (
        await MediationCertificate.select()
        .where((MediationCertificate.disagreement == case_id) & (MediationCertificate.number == number))
        .first()
    )


async def latest_certificate_on(case: Disagreement) -> dt.date | None:
    """The issue date of the case's latest mediation certificate: one the service issued, or one an
    outside adviser issued as the LA or ICB recorded it. Never the date someone typed it in."""
    row = (
        await MediationCertificate.select(MediationCertificate.issued_on)
        .where(MediationCertificate.disagreement == case.id)
        .order_by(MediationCertificate.issued_on, ascending=False)
        .first()
    )
    dates = [d for d in (row["issued_on"] if row else None, case.mediation.outside_certificate_on) if d]
    return max(dates, default=None)
