"""Every PDF the service makes is tagged PDF/UA (issue 13): certificates, decision notices, letters and the
merged print files, read back with pikepdf: a structure tree and MarkInfo Marked, /Lang en-GB, a /Title
shown as the window title, real headings, and the letterhead mark as a Figure with alt text. Letters and
certificates for a family who asked for large print are set at 16pt or more."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from mediation.cases.tables import CaseDocument
from mediation.certificates.tables import MediationCertificate
from mediation.notices.tables import DecisionNotice
from mediation.notify.letters import render_letter_pdf
from mediation.notify.print_queue import letter_file
from mediation.notify.tables import LetterFile, Notification
from mediation.organisations.tables import Organisation
from mediation.web.templating import SERVICE_NAME
from tests.notices.helpers import issue, notice_input
from tests.notify.print_helpers import certificate_letter, print_now, structure

pytestmark = pytest.mark.anyio
MARK = f"{SERVICE_NAME} logo"  # the service's own letterhead mark


def assert_accessible(pdf: bytes, *, title: str, alt: str) -> dict[str, object]:
    found = structure(pdf)
    assert found["tagged"], "no structure tree, or MarkInfo Marked is not true"
    assert found["lang"] == "en-GB"
    assert found["title"] == title
    assert found["display_title"], "the viewer would show the file name, not the title"
    assert found["pdfua"] == "1", "not declared PDF/UA-1 in the XMP metadata"
    assert "/H1" in found["tags"]
    assert found["alts"] and all(found["alts"]), "a Figure without alt text"
    assert alt in found["alts"]
    return found


def text_sizes(pdf: bytes) -> list[tuple[str, float]]:
    """Each run of text with the size it is printed at, in points."""
    runs: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            runs.append((text.strip(), round(size * abs(tm[3]) * abs(cm[3]), 1)))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def _letter(**extra: object) -> bytes:
    return render_letter_pdf(
        name="Sam Taylor",
        address="1 Road\nMilton Keynes\nMK1 1AA",
        subject="We have received your disagreement",
        body_text="The council must reply by 10 May 2027.\n\nYou do not need to do anything yet.",
        date=dt.date(2027, 3, 1),
        reference="SM-TEST0001",
        enclosures=["final-plan.pdf"],
        **extra,  # type: ignore[arg-type]
    )


def test_a_letter_is_a_tagged_pdf_ua_document_with_headings_and_the_marks_alt_text() -> None:
    found = assert_accessible(_letter(), title="We have received your disagreement", alt=MARK)
    assert "/H2" in found["tags"]  # "Enclosed with this letter"


def test_a_large_print_letter_is_set_at_16pt_or_more_and_a_standard_one_is_not() -> None:
    standard = text_sizes(_letter())
    large = text_sizes(_letter(large_print=True))
    body = [size for text, size in large if not text.startswith("Page ")]
    assert min(body) >= 16, sorted(set(body))
    assert min(size for text, size in standard if "council must reply" in text) == 12
    assert_accessible(
        _letter(large_print=True),
        title="We have received your disagreement",
        alt=MARK,
    )


async def test_a_decision_notice_is_tagged_with_the_councils_mark(app) -> None:
    reference = await issue(notice_input(email="", address="2 Notice Road\nMK2 2BB"))
    notice = await DecisionNotice.select().where(DecisionNotice.reference == reference).first()
    document = (
        await CaseDocument.select(CaseDocument.content)
        .where(CaseDocument.id == notice["notice_document"])
        .first()
    )
    pdf = bytes(document["content"])
    found = structure(pdf)
    assert found["title"]
    assert_accessible(pdf, title=found["title"], alt=f"{found['alts'][0]}")
    assert found["alts"][0].endswith(" logo") and len(found["alts"][0]) > len(" logo")
    assert found["tags"].count("/H2") >= 2  # the notice's own sections


async def test_a_certificate_its_letter_and_the_merged_print_file_are_tagged(app) -> None:
    world, letter_id = await certificate_letter()
    certificate = (
        await MediationCertificate.select(MediationCertificate.number, MediationCertificate.document)
        .where(MediationCertificate.disagreement == world.case_id)
        .first()
    )
    document = (
        await CaseDocument.select(CaseDocument.content)
        .where(CaseDocument.id == certificate["document"])
        .first()
    )
    service = await Organisation.select(Organisation.name).where(Organisation.id == world.service_id).first()
    assert_accessible(
        bytes(document["content"]),
        title=f"Mediation certificate {certificate['number']}",
        alt=f"{service['name']} logo",
    )
    letter = await LetterFile.select(LetterFile.pdf).where(LetterFile.notification == letter_id).first()
    assert_accessible(
        bytes(letter["pdf"]),
        title=f"Your mediation certificate {certificate['number']}",
        alt=MARK,
    )
    _, merged = await letter_file(world.mediator, letter_id)
    found = assert_accessible(merged, title=f"Your mediation certificate {certificate['number']}", alt=MARK)
    assert found["tags"].count("/H1") == 2 and len(found["alts"]) == 2  # the letter's and the certificate's


async def test_a_family_who_asked_for_large_print_gets_large_print_letters_and_certificates(app) -> None:
    world, letter_id = await certificate_letter(large_print=True)
    letter = await LetterFile.select(LetterFile.pdf).where(LetterFile.notification == letter_id).first()
    certificate = (
        await CaseDocument.select(CaseDocument.content)
        .where((CaseDocument.disagreement == world.case_id) & (CaseDocument.kind == "mediation_certificate"))
        .first()
    )
    for pdf in (bytes(letter["pdf"]), bytes(certificate["content"])):
        sizes = [size for text, size in text_sizes(pdf) if not text.startswith(("Page ", "Certificate "))]
        assert min(sizes) >= 16, sorted(set(sizes))


async def test_a_notice_for_a_family_who_asked_for_large_print_is_large_and_so_is_its_posted_letter(app):
    notice = notice_input(email="", address="3 Large Road\nMK3 3CC")
    notice.large_print = True
    reference = await issue(notice)
    row = await DecisionNotice.select().where(DecisionNotice.reference == reference).first()
    document = (
        await CaseDocument.select(CaseDocument.content)
        .where(CaseDocument.id == row["notice_document"])
        .first()
    )
    sizes = [size for text, size in text_sizes(bytes(document["content"])) if reference not in text]
    assert min(sizes) >= 16, sorted(set(sizes))
    letter = await Notification.select().where(Notification.dedupe_key == f"notice:{reference}").first()
    assert letter["channel"] == "letter" and letter["large_print"] is True
    await print_now(letter["id"])
    printed = await LetterFile.select(LetterFile.pdf).where(LetterFile.notification == letter["id"]).first()
    sizes = [size for text, size in text_sizes(bytes(printed["pdf"])) if not text.startswith("Page ")]
    assert min(sizes) >= 16, sorted(set(sizes))


async def test_the_notice_form_offers_large_print_and_the_posted_letter_gets_it(app) -> None:
    import httpx

    from tests.conftest import DEMO_EMAILS, sign_in
    from tests.notices.helpers import form, post_form, reference_from

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        await sign_in(c, DEMO_EMAILS["la_coordinator"])
        page = (await c.get("/notices/new")).text
        assert 'name="large_print"' in page and "The family asked for large print" in page
        values = form(family_email="", postal_address="5 Form Road\nMK5 5EE", large_print="yes")
        reference = reference_from(await post_form(c, values))
    letter = (
        await Notification.select(Notification.large_print)
        .where(Notification.dedupe_key == f"notice:{reference}")
        .first()
    )
    assert letter == {"large_print": True}
