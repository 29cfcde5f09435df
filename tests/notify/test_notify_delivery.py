"""Outbox delivery against a real local SMTP server: arrival, dedupe, concurrency, retries, reclaiming."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from mediation.cases.tables import CaseDocument
from mediation.db import transaction
from mediation.notify.email import LEASE, backoff, deliver_due
from mediation.notify.service import queue_email
from mediation.notify.tables import Notification
from tests.notify.conftest import add_document

pytestmark = pytest.mark.anyio

MINUTE = dt.timedelta(minutes=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _queue(tag: str, n: int = 0, **overrides) -> bool:
    fields = {
        "to": f"{tag}-{n}@example.com",
        "name": "Alex Parent",
        "subject": "Your disagreement: next steps",
        "body_text": f"Message {n}.",
        "dedupe_key": f"{tag}-{n}",
        **overrides,
    }
    return await queue_email(**fields)


async def _row(key: str) -> dict:
    return await Notification.select().where(Notification.dedupe_key == key).first()


async def test_an_email_queued_in_a_transaction_that_fails_is_never_sent(tag, smtp_server):
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed):
        async with transaction():
            document_id = await add_document(b"%PDF-1.7 rolled back")  # the "change" the message is about
            assert await _queue(tag, attachments=[{"document_id": document_id, "filename": "d.pdf"}])
            raise ChangeFailed
    assert await _row(f"{tag}-0") is None
    assert not await CaseDocument.exists().where(CaseDocument.id == document_id)
    await deliver_due(smtp=smtp_server.config)
    assert smtp_server.to(f"{tag}-0@example.com") == []


async def test_a_queued_email_arrives_with_subject_body_and_attachment_intact(tag, smtp_server):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"  # every byte value survives the trip
    async with transaction():
        document_id = await add_document(pdf)
        queued = await _queue(
            tag,
            name="Alex Parent-Ŵyn",
            subject="Mediation certificate issued – what happens next",
            body_text="Dear Alex,\n\nThe certificate is attached. Fee: £0.\n",
            body_html="<p>Dear Alex,</p><p>The certificate is attached.</p>",
            attachments=[{"document_id": document_id, "filename": "mediation-certificate.pdf"}],
            disagreement_id=None,
        )
    assert queued
    try:
        report = await deliver_due(smtp=smtp_server.config)
        assert report.sent >= 1
        [message] = smtp_server.to(f"{tag}-0@example.com")
        assert message["Subject"] == "Mediation certificate issued – what happens next"
        assert message["From"] == "Outbox Test <outbox@send-mediation.test>"
        assert message["To"].addresses[0].display_name == "Alex Parent-Ŵyn"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Message-ID"].endswith("@send-mediation.test>")
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
        assert text == "Dear Alex,\n\nThe certificate is attached. Fee: £0.\n"
        assert "<p>The certificate is attached.</p>" in message.get_body(("html",)).get_content()
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == "mediation-certificate.pdf"
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == pdf
        row = await _row(f"{tag}-0")
        assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, "")
        assert row["sent_at"] is not None
    finally:
        await CaseDocument.delete().where(CaseDocument.id == document_id)


async def test_the_same_dedupe_key_queued_twice_is_sent_once(tag, smtp_server):
    assert await _queue(tag) is True
    assert await _queue(tag, body_text="A second copy of the same event") is False
    await deliver_due(smtp=smtp_server.config)
    assert await _queue(tag) is False  # still a duplicate after it was sent
    await deliver_due(smtp=smtp_server.config)
    [message] = smtp_server.to(f"{tag}-0@example.com")
    assert message.get_body(("plain",)).get_content().strip() == "Message 0."


async def test_concurrent_workers_deliver_each_message_exactly_once(tag, smtp_server):
    count = 12
    for n in range(count):
        await _queue(tag, n)
    # Small batches so every worker gets rows, and keep going until nothing is left to claim.
    rounds = []
    while not rounds or any(r.claimed for r in rounds[-1]):
        rounds.append(
            await asyncio.gather(*(deliver_due(limit=3, smtp=smtp_server.config) for _ in range(3)))
        )
    assert [r.claimed for r in rounds[0]] == [3, 3, 3]  # three workers at once, each with its own rows
    for n in range(count):
        assert len(smtp_server.to(f"{tag}-{n}@example.com")) == 1, n
    statuses = await Notification.select(Notification.status, Notification.attempts).where(
        Notification.dedupe_key.like(f"{tag}-%")
    )
    assert [(r["status"], r["attempts"]) for r in statuses] == [("sent", 1)] * count


async def test_an_unreachable_server_means_retry_with_backoff_then_success(tag, smtp_server):
    smtp_server.stop()
    await _queue(tag)
    now = _now()
    report = await deliver_due(now=now, smtp=smtp_server.config)
    assert report.retrying >= 1
    row = await _row(f"{tag}-0")
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["last_error"]
    assert abs(row["next_attempt_at"] - (now + MINUTE)) < dt.timedelta(seconds=1)

    await deliver_due(now=now + dt.timedelta(seconds=30), smtp=smtp_server.config)
    assert (await _row(f"{tag}-0"))["attempts"] == 1  # not due yet: untouched

    smtp_server.start()
    later = now + dt.timedelta(seconds=61)
    await deliver_due(now=later, smtp=smtp_server.config)
    assert len(smtp_server.to(f"{tag}-0@example.com")) == 1
    row = await _row(f"{tag}-0")
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, "")
    assert row["sent_at"] == later


async def test_a_refusing_server_backs_off_exponentially_then_gives_up(tag, smtp_server):
    smtp_server.handler.refuse = "550 5.7.1 Refused for this test"
    await _queue(tag)
    when = _now()
    delays = []
    for attempt in range(1, 9):  # settings.smtp_max_attempts defaults to 8
        await deliver_due(now=when, smtp=smtp_server.config)
        row = await _row(f"{tag}-0")
        assert row["attempts"] == attempt
        assert "550" in row["last_error"]
        if attempt < 8:
            assert row["status"] == "pending"
            delays.append(row["next_attempt_at"] - when)
            when = row["next_attempt_at"]
    assert row["status"] == "failed"
    assert delays == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 64)]
    smtp_server.handler.refuse = None
    await deliver_due(now=when + dt.timedelta(days=7), smtp=smtp_server.config)
    assert (await _row(f"{tag}-0"))["status"] == "failed"  # failed is final
    assert smtp_server.to(f"{tag}-0@example.com") == []


def test_backoff_doubles_from_one_minute_and_is_capped_at_six_hours():
    assert [backoff(n) for n in (1, 2, 3, 4, 5)] == [MINUTE * m for m in (1, 2, 4, 8, 16)]
    assert backoff(9) == MINUTE * 256
    assert backoff(10) == backoff(50) == dt.timedelta(hours=6)


async def test_a_row_left_sending_by_a_dead_process_is_reclaimed(tag, smtp_server):
    await _queue(tag, 0)  # claimed 11 minutes ago: lease expired a minute ago
    await _queue(tag, 1)  # claimed 2 minutes ago: its worker may still be sending
    await _queue(tag, 2)  # died during its final attempt
    now = _now()
    for n, attempts, lease_end in ((0, 1, now - MINUTE), (1, 1, now + 8 * MINUTE), (2, 8, now - MINUTE)):
        await Notification.update(
            {
                Notification.status: "sending",
                Notification.attempts: attempts,
                Notification.next_attempt_at: lease_end,
            }
        ).where(Notification.dedupe_key == f"{tag}-{n}")

    await deliver_due(now=now, smtp=smtp_server.config)
    assert len(smtp_server.to(f"{tag}-0@example.com")) == 1
    assert ((await _row(f"{tag}-0"))["status"], (await _row(f"{tag}-0"))["attempts"]) == ("sent", 2)
    assert (await _row(f"{tag}-1"))["status"] == "sending"
    assert smtp_server.to(f"{tag}-1@example.com") == []
    final = await _row(f"{tag}-2")
    assert (final["status"], final["attempts"]) == ("failed", 9)
    assert "interrupted" in final["last_error"]
    assert smtp_server.to(f"{tag}-2@example.com") == []

    await deliver_due(now=now + LEASE, smtp=smtp_server.config)  # the live worker's lease ran out too
    assert len(smtp_server.to(f"{tag}-1@example.com")) == 1


async def test_a_missing_attachment_is_an_error_that_is_retried(tag, smtp_server):
    await _queue(tag, attachments=[{"document_id": 2_000_000_000, "filename": "gone.pdf"}])
    await deliver_due(smtp=smtp_server.config)
    row = await _row(f"{tag}-0")
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "LookupError" in row["last_error"]
    assert smtp_server.to(f"{tag}-0@example.com") == []


async def test_a_batch_that_runs_long_hands_back_rows_it_has_not_started(tag, smtp_server, monkeypatch):
    import mediation.notify.email as outbox

    await _queue(tag)
    monkeypatch.setattr(outbox, "LEASE", dt.timedelta(0))  # as if half the lease had already passed
    now = _now()
    report = await deliver_due(now=now, smtp=smtp_server.config)
    assert report.released >= 1
    row = await _row(f"{tag}-0")
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 0, now)
    assert smtp_server.to(f"{tag}-0@example.com") == []
