"""Letters for families without email: a real A4 PDF in the print queue, read back with poppler."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import pytest

from mediation.notify.email import LEASE, claim_due, deliver_due
from mediation.notify.letters import LONDON, print_letter
from mediation.notify.service import queue_for_person
from mediation.notify.tables import LetterFile, Notification

pytestmark = pytest.mark.anyio

BODY = (
    "We have received your disagreement about Robin Taylor's plan.\n\n"
    "The local authority must reply by 10 May 2027.\n"
    "You do not need to do anything yet."
)


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "letter.pdf"
        path.write_bytes(pdf)
        return subprocess.run(  # noqa: S603 - fixed poppler-utils tools on a file we wrote
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


async def _queue_letter(tag: str, n: int = 0) -> None:
    assert await queue_for_person(
        email=None,
        name="Sam Taylor",
        address="Flat 2, 14 Station Road\nWolverton\nMilton Keynes\nMK12 5AB",
        subject="We have received your disagreement",
        body_text=BODY,
        dedupe_key=f"{tag}-{n}",
        attachments=[{"document_id": 1, "filename": "decision-letter.pdf"}],
        forbidden_names=["Robin Taylor"],  # checked against the subject only: the body may name the child
    )


async def _letter_pdf(key: str) -> tuple[dict, bytes]:
    row = await Notification.select().where(Notification.dedupe_key == key).first()
    files = await LetterFile.select(LetterFile.pdf).where(LetterFile.notification == row["id"])
    assert len(files) == 1
    return row, bytes(files[0]["pdf"])


async def test_a_letter_is_rendered_to_an_a4_pdf_in_the_print_queue(tag, smtp_server):
    await _queue_letter(tag)
    now = dt.datetime.now(dt.UTC)
    report = await deliver_due(now=now, smtp=smtp_server.config)
    assert report.printed >= 1
    row, pdf = await _letter_pdf(f"{tag}-0")
    assert (row["status"], row["attempts"], row["channel"]) == ("printed", 1, "letter")

    text = " ".join(_poppler("pdftotext", pdf).split())
    for expected in (
        "Sam Taylor",
        "Flat 2, 14 Station Road",
        "Wolverton",
        "Milton Keynes",
        "MK12 5AB",
        "We have received your disagreement",
        "We have received your disagreement about Robin Taylor's plan.",
        "The local authority must reply by 10 May 2027.",
        "You do not need to do anything yet.",
        "decision-letter.pdf",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    today = now.astimezone(LONDON).date()
    assert f"{today.day} {today:%B %Y}" in text  # dated the day it was printed

    info = _poppler("pdfinfo", pdf)
    assert "(A4)" in info
    assert "Tagged:          yes" in info
    assert "Title:           We have received your disagreement" in info
    structure = _poppler("pdfinfo", pdf, "-struct")
    assert "H1" in structure and "H2" in structure  # heading structure survives for screen readers


async def test_a_letter_is_printed_once_even_when_delivery_runs_again(tag, smtp_server):
    await _queue_letter(tag)
    await deliver_due(smtp=smtp_server.config)
    await deliver_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1), smtp=smtp_server.config)
    await _letter_pdf(f"{tag}-0")  # asserts exactly one LetterFile


async def test_a_worker_that_lost_its_claim_stores_nothing(tag):
    await _queue_letter(tag)
    now = dt.datetime.now(dt.UTC)
    [slow] = [r for r in await claim_due(now, 1000) if r["dedupe_key"] == f"{tag}-0"]
    # The slow worker's lease runs out and another worker reclaims the row.
    [fast] = [r for r in await claim_due(now + LEASE, 1000) if r["dedupe_key"] == f"{tag}-0"]
    assert (slow["attempts"], fast["attempts"]) == (1, 2)
    assert await print_letter(slow, now) is False
    assert not await LetterFile.exists().where(LetterFile.notification == slow["id"])
    assert await print_letter(fast, now + LEASE) is True
    row, _ = await _letter_pdf(f"{tag}-0")
    assert row["status"] == "printed"
