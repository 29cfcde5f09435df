"""The notice as a PDF letter, by email with the plan attached, or as a printed letter."""

import subprocess
import tempfile
from pathlib import Path

import pytest

from mediation.cases.tables import CaseDocument
from mediation.notices.tables import DecisionNotice
from mediation.notify.email import SmtpConfig, build_message
from mediation.notify.tables import Notification
from tests.notices.helpers import PDF, issue, notice_input, own_la

pytestmark = pytest.mark.anyio


async def _row(reference: str) -> dict:
    return await DecisionNotice.select().where(DecisionNotice.reference == reference).first()


async def _document(document_id: int) -> bytes:
    row = await CaseDocument.select(CaseDocument.content).where(CaseDocument.id == document_id).first()
    return bytes(row["content"])


def _pdf_text(pdf: bytes) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notice.pdf"
        path.write_bytes(pdf)
        # Fixed poppler-utils tools on a file we wrote.
        text = subprocess.run(  # noqa: S603
            ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
            capture_output=True,
            check=True,
            text=True,
        )
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)  # noqa: S603, S607
    return " ".join(text.stdout.split()), info.stdout


async def test_the_notice_pdf_renders_with_its_computed_dates_and_extracts_as_text(app):
    notice = notice_input(sections=["B", "F", "G", "I"])
    reference = await issue(notice)
    pdf = await _document((await _row(reference))["notice_document"])
    assert pdf.startswith(b"%PDF-")
    text, info = _pdf_text(pdf)
    info = " ".join(info.split())
    assert "Tagged: yes" in info  # headings survive for screen readers
    assert "Title: Final EHC plan issued" in info
    for expected in (
        reference,
        notice.child_name,
        "Dear Sam Parent",
        "Date sent: Wednesday 10 March 2027",
        "Monday 10 May 2027: the last day to contact the mediation adviser",
        "Monday 10 May 2027: the last day to appeal",
        "SEND Regulations 2014 reg 33",
        "r.20(1)(c)",
        "advice@independent-mediation.example",
        "page 1 of",
    ):
        assert expected in text, expected


async def test_a_family_with_email_gets_the_notice_pdf_and_the_plan_attached(app):
    notice = notice_input(email="attachments@example.com")
    reference = await issue(notice)
    row = await _row(reference)
    assert row["channel"] == "email"
    queued = await Notification.select().where(Notification.dedupe_key == f"notice:{reference}").first()
    assert queued["channel"] == "email"
    assert queued["recipient_email"] == "attachments@example.com"
    assert notice.child_name.split()[0] not in queued["subject"]  # no child's name in an inbox preview
    assert queued["subject"] == f"Final EHC plan issued: your rights (reference {reference})"
    message = await build_message(queued, SmtpConfig(), row["created_at"])
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attached[f"{reference}-your-rights.pdf"].startswith(b"%PDF-")
    assert attached["plan.pdf"] == PDF
    plain = message.get_body(("plain",)).get_content()
    assert "Monday 10 May 2027" in plain
    assert "create an account with the email address attachments@example.com" in plain
    assert "Monday 10 May 2027" in message.get_body(("html",)).get_content()


async def test_a_family_without_email_gets_a_printed_letter_with_the_plan_enclosed(app):
    reference = await issue(
        notice_input("cease_to_maintain", email="", address="1 Example Road\nMilton Keynes\nMK1 1AA")
    )
    row = await _row(reference)
    assert row["channel"] == "letter"
    queued = (
        await Notification.select()
        .where(Notification.dedupe_key == f"notice:{reference}")
        .output(load_json=True)
        .first()
    )
    assert queued["channel"] == "letter"
    assert queued["postal_address"] == "1 Example Road\nMilton Keynes\nMK1 1AA"
    assert [a["filename"] for a in queued["attachments"]] == ["plan.pdf"]
    assert "Monday 10 May 2027: the last day to appeal" in queued["body_text"]
    assert "decided to stop maintaining" in queued["body_text"]


async def test_a_subject_line_never_names_the_child_even_when_the_name_is_an_ordinary_word(app):
    reference = await issue(notice_input(name="Alex Plan"))
    queued = await Notification.select(Notification.subject).where(
        Notification.dedupe_key == f"notice:{reference}"
    )
    assert queued == [{"subject": f"Decision notice and your rights (reference {reference})"}]


async def test_the_letter_carries_the_la_s_letterhead_and_signature_from_its_fields(app):
    long_address = "https://example.org/" + "a1b2c3d4e5" * 30  # one "word" wider than the page
    la = await own_la(
        signatory_name="Jo Bloggs",
        signatory_title="Head of SEND",
        contact=f"Ring us <any> time.\n\n{long_address}",
    )
    reference = await issue(notice_input(email="", address="2 Example Road\nMK2 2AA"), la_id=la)
    text, info = _pdf_text(await _document((await _row(reference))["notice_document"]))
    for expected in (
        "Template Council",
        "1 Council Street Template Town TT1 1AA",
        "Ring us <any> time.",
        "Yours sincerely, Jo Bloggs Head of SEND Template Council",
    ):
        assert expected in text, expected
    assert long_address in text.replace(" ", "")  # wrapped onto the page, not cut off at its edge
    assert "Author: Template Council" in " ".join(info.split())
