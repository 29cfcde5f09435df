"""Mediation certificates (CFA s.55(4)-(5)): numbered per service and year, issued as a PDF and an
accessible HTML page; the issue date starts the one-month limb of the appeal deadline (HESC r.20(1)(c))."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
from typing import Any

from mediation.audit import service as audit
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.clocks.service import start_clock, stop_clock
from mediation.db import is_postgres, transaction
from mediation.identity import CurrentUser
from mediation.mediation.common import (
    CERTIFICATE_CLOCKS,
    MediationError,
    arranging_calendar,
    check_date,
    move,
    record_of,
    routing_of,
)
from mediation.mediation.tables import MediationCertificate
from mediation.notify.service import queue_for_person
from mediation.organisations.tables import Organisation
from mediation.rules.routing import DECISION_LABELS
from mediation.settings import settings

KINDS = {
    "after_decline": "The family does not wish to pursue mediation",
    "unable_to_arrange": "Mediation could not be arranged within 30 days",
    "after_mediation": "Mediation has taken place",
}


def _trigger(kind: str, record: dict[str, Any] | None) -> dt.date | None:
    """The date the certificate's clock started from, if its precondition holds."""
    if record is None:
        return None
    if kind == "after_decline":
        return record["choice_on"] if record["choice"] == "decline" else None
    if kind == "unable_to_arrange":
        return record["unable_to_arrange_on"]
    return record["concluded_on"]


def _render(template: str, **context: Any) -> str:
    from mediation.notify.letters import _environment

    return _environment().get_template(template).render(**context)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    # Shared with the letters: WeasyPrint is not documented as thread-safe.
    from mediation.notify.letters import _render_lock

    with _render_lock:
        pdf = HTML(string=html).write_pdf(pdf_tags=True)
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


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
    case: dict[str, Any], kind: str, issued_on: dt.date | None, *, actor: CurrentUser
) -> str:
    """Issue a certificate of `kind`; returns its number. Stops its clock and recomputes the appeal."""
    errors: dict[str, str] = {}
    routing = routing_of(case)
    record = await record_of(case["id"])
    trigger = _trigger(kind, record) if kind in KINDS else None
    if kind not in KINDS:
        errors["kind"] = "Select why the certificate is being issued"
    elif not routing.certificate_required:
        errors["kind"] = "No mediation certificate is needed before an appeal on these matters (CFA s.55)"
    elif trigger is None:
        errors["kind"] = {
            "after_decline": "The family has not told the adviser it does not want mediation",
            "unable_to_arrange": "Nobody has recorded that mediation cannot be arranged within 30 days",
            "after_mediation": "The mediation has not been recorded as concluded",
        }[kind]
    if not case["mediation_service"]:
        errors["kind"] = "Assign an independent mediation service to the case first"
    check_date(errors, "issued", issued_on, "the date the certificate is issued", not_before=trigger)
    if errors:
        raise MediationError(errors)
    assert issued_on is not None
    service = (
        await Organisation.select(Organisation.name, Organisation.code)
        .where(Organisation.id == case["mediation_service"])
        .first()
    )
    details = (
        await Disagreement.select(
            Disagreement.family.full_name.as_alias("family_name"),
            Disagreement.local_authority.name.as_alias("la_name"),
        )
        .where(Disagreement.id == case["id"])
        .first()
    )
    calendar = await arranging_calendar(case)
    async with transaction():
        await move(case, "issue_certificate", actor, f"Mediation certificate issued: {KINDS[kind].lower()}")
        sequence = await _next_sequence(case["mediation_service"], issued_on.year)
        number = f"{service['code']}-{issued_on.year}-{sequence:04d}"
        appeal_due = None
        if routing.appeal_available:
            appeal_due = await start_clock(
                case["id"],
                "appeal",
                {"notice_sent": case["decision_notice_sent"], "certificate_issued": issued_on},
                started_by="mediation certificate issued",
                decision_date=case["decision_notice_sent"],
                calendar=calendar,
                actor=actor,
            )
        context = {
            "number": number,
            "kind": kind,
            "kind_label": KINDS[kind],
            "issued_on": issued_on,
            "service_name": service["name"],
            "case": case,
            "family_name": details["family_name"],
            "la_name": details["la_name"],
            "decision_label": DECISION_LABELS.get(case["decision"], case["decision"]),
            "record": record,
            "appeal_due": appeal_due,
            "issued_by": actor.full_name,
        }
        body = _render("mediation/_certificate_body.html", **context)
        document = _render("mediation/certificate_pdf.html", body=body, number=number)
        pdf = await asyncio.to_thread(functools.partial(render_pdf, document))
        doc = CaseDocument(
            disagreement=case["id"],
            kind="mediation_certificate",
            filename=f"mediation-certificate-{number}.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            content=pdf,
            uploaded_by=actor.id,
            uploaded_at=dt.datetime.now(dt.UTC),
        )
        await doc.save()
        await MediationCertificate.insert(
            MediationCertificate(
                disagreement=case["id"],
                kind=kind,
                number=number,
                service=case["mediation_service"],
                year=issued_on.year,
                sequence=sequence,
                issued_on=issued_on,
                issued_by=actor.id,
                document=doc.id,
                html=body,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        await stop_clock(
            case["id"],
            CERTIFICATE_CLOCKS[kind],
            on=issued_on,
            reason=f"certificate {number} issued",
            actor=actor,
        )
        await audit.record(
            actor=actor,
            action="issue_certificate",
            entity="mediation_certificate",
            entity_id=number,
            disagreement_id=case["id"],
            summary=f"Mediation certificate {number} issued",
            after={"kind": kind},
        )
        link = f"{settings.base_url}/cases/{case['reference']}/mediation/certificates/{number}"
        await queue_for_person(
            email=case["contact_email"] if case["contact_by"] == "email" else None,
            name=details["family_name"],
            address=case["postal_address"],
            subject=f"Your mediation certificate {number}",
            body_text=f"Your mediation certificate {number} for disagreement {case['reference']} is "
            "attached.\n\n"
            f"You can also read it online: {link}",
            dedupe_key=f"certificate:{number}",
            disagreement_id=case["id"],
            forbidden_names=[case["child_name"]],
            attachments=[
                {"document_id": int(doc.id), "filename": doc.filename, "content_type": "application/pdf"}
            ],
        )
    return number


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
