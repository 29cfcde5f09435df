"""Delivery side of the outbox: claim due messages, send email over SMTP or print letters, retry with backoff.

Safe with any number of processes: a row is claimed (status 'sending', attempts + 1, a 10-minute lease in
next_attempt_at) before it is worked on, and every outcome is written only if the claim still holds
(same attempts number), so a slow worker whose lease ran out cannot overwrite a newer claim.
Delivery is at least once: a process that dies after the SMTP server accepted a message but before
recording it will have the message sent again when the lease expires (same Message-ID, so mail
clients can collapse the duplicate).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import aiosmtplib

from mediation.db import is_postgres, transaction
from mediation.notify import case_facts
from mediation.notify.letters import print_letter
from mediation.notify.tables import Channel, DeliveryStatus, Notification
from mediation.settings import Settings, settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)  # a 'sending' row older than this belongs to a dead process
MAX_BACKOFF = dt.timedelta(hours=6)
_PENDING, _SENDING = DeliveryStatus.pending.value, DeliveryStatus.sending.value
_COLUMNS = (
    "id, channel, dedupe_key, recipient_email, recipient_name, postal_address, subject, "
    "body_text, body_html, attachments, disagreement_id, attempts"
)


@dataclasses.dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 1025
    sender: str = "no-reply@send-mediation.example"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    max_attempts: int = 8

    @classmethod
    def from_settings(cls, config: Settings | None = None) -> SmtpConfig:
        s = config or settings
        return cls(
            host=s.smtp_host,
            port=s.smtp_port,
            sender=s.smtp_from,
            username=s.smtp_username,
            password=s.smtp_password,
            starttls=s.smtp_starttls,
            timeout=s.smtp_timeout,
            max_attempts=s.smtp_max_attempts,
        )


def default_smtp(config: Settings | None = None) -> SmtpConfig:
    """Where deliveries go: this process's mail catcher when it runs one (MAILBOX), else SMTP_*."""
    from mediation.notify import mailbox

    smtp = SmtpConfig.from_settings(config)
    catcher = mailbox.running()
    if catcher is None:
        return smtp
    return dataclasses.replace(
        smtp, host=catcher.host, port=catcher.port, username=None, password=None, starttls=False
    )


class _Outage:
    """Says once that the SMTP server cannot be reached, and once that it is back, however many sweeps
    and messages fail in between (each message's own failure is still recorded on its row)."""

    def __init__(self) -> None:
        self.since: dt.datetime | None = None

    def down(self, smtp: SmtpConfig, error: Exception, now: dt.datetime, waiting: int) -> None:
        if self.since is not None:
            return
        self.since = now
        log.warning(
            "cannot reach the SMTP server %s:%d (%s: %s); %d message(s) wait and are retried with backoff. "
            "This is logged once until the server answers again.",
            smtp.host,
            smtp.port,
            type(error).__name__,
            error,
            waiting,
        )

    def up(self, smtp: SmtpConfig, now: dt.datetime) -> None:
        if self.since is None:
            return
        log.info(
            "the SMTP server %s:%d answers again (unreachable since %s)",
            smtp.host,
            smtp.port,
            self.since.isoformat(timespec="seconds"),
        )
        self.since = None


_outage = _Outage()


@dataclasses.dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0  # emails accepted by the SMTP server
    printed: int = 0  # letters rendered and put in the print queue
    retrying: int = 0  # failed this time, pending again after a backoff
    failed: int = 0  # gave up after the last attempt
    lost: int = 0  # our claim expired and another worker took the row over
    released: int = 0  # claimed but not started (the batch ran long); pending again at once


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8, 16... minutes after the 1st, 2nd, 3rd... failed attempt, at most 6 hours."""
    return min(dt.timedelta(minutes=2 ** min(max(attempts - 1, 0), 20)), MAX_BACKOFF)


def _attachments(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = row.get("attachments") or []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


async def claim_due(now: dt.datetime, limit: int) -> list[dict[str, Any]]:
    """Take up to `limit` due rows (pending and due, or 'sending' with an expired lease) for this worker.

    Oldest first, by when they were queued (not by retry time): after an outage, messages queued at
    different moments have different backoffs, and must still go out in the order they were written."""
    lease_until = now + LEASE
    if is_postgres():
        # SKIP LOCKED: concurrent workers each lock a different set of rows instead of queueing behind
        # each other; the UPDATE makes the claim visible to everyone once this statement commits.
        # Only the constant column list is interpolated; the values are bound parameters.
        rows = await Notification.raw(
            "UPDATE notification SET status = 'sending', attempts = attempts + 1, next_attempt_at = {} "  # noqa: S608
            "WHERE id IN (SELECT id FROM notification "
            "WHERE status IN ('pending', 'sending') AND next_attempt_at <= {} "
            "ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED) "
            f"RETURNING {_COLUMNS}",
            lease_until,
            now,
            limit,
        )
        return sorted(rows, key=lambda row: row["id"])  # UPDATE ... RETURNING keeps no order
    # SQLite has no row locks; an immediate transaction holds the database's write lock from the start,
    # so two workers' read-then-update cannot interleave. The conditional update is a second guard.
    claimed: list[dict[str, Any]] = []
    async with transaction():
        due = (
            await Notification.select(Notification.id, Notification.status)
            .where(Notification.status.is_in([_PENDING, _SENDING]) & (Notification.next_attempt_at <= now))
            .order_by(Notification.id)
            .limit(limit)
        )
        for item in due:
            claimed += await (
                Notification.update(
                    {
                        Notification.status: _SENDING,
                        Notification.attempts: Notification.attempts + 1,
                        Notification.next_attempt_at: lease_until,
                    }
                )
                .where(
                    (Notification.id == item["id"])
                    & (Notification.status == item["status"])
                    & (Notification.next_attempt_at <= now)
                )
                .returning(*(getattr(Notification, c.strip()) for c in _COLUMNS.split(",")))
            )
    return claimed


def _still_ours(row: Mapping[str, Any]) -> Any:
    return (
        (Notification.id == row["id"])
        & (Notification.status == _SENDING)
        & (Notification.attempts == row["attempts"])
    )


async def _settle(row: Mapping[str, Any], values: dict[Any, Any]) -> bool:
    """Write an outcome only if our claim still holds; False if another worker took the row over."""
    return bool(await Notification.update(values).where(_still_ours(row)).returning(Notification.id))


async def _record_failure(
    row: Mapping[str, Any], now: dt.datetime, error: str, max_attempts: int, *, quiet: bool = False
) -> str:
    attempts = row["attempts"]
    values: dict[Any, Any] = {Notification.last_error: error[:2000]}
    if attempts >= max_attempts:
        values[Notification.status] = DeliveryStatus.failed.value
        outcome = "failed"
    else:
        values[Notification.status] = _PENDING
        values[Notification.next_attempt_at] = now + backoff(attempts)
        outcome = "retrying"
    if not await _settle(row, values):
        return "lost"
    # While the server is unreachable, the outage is logged once (`_Outage`), not once per message; a
    # message given up on is always logged.
    (log.debug if quiet and outcome != "failed" else log.warning)(
        "notification %s attempt %d %s: %s", row["id"], attempts, outcome, error
    )
    return outcome


async def build_message(row: Mapping[str, Any], smtp: SmtpConfig, now: dt.datetime) -> EmailMessage:
    """The email for a claimed row: plain text, optional HTML alternative, CaseDocument attachments."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = Address(display_name=row["recipient_name"] or "", addr_spec=row["recipient_email"])
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    # Stable per notification: a re-send after a crash carries the same Message-ID.
    domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or "send-mediation.invalid"
    digest = hashlib.sha256(row["dedupe_key"].encode()).hexdigest()[:16]
    message["Message-ID"] = f"<outbox.{row['id']}.{digest}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer
    message.set_content(row["body_text"])
    if row["body_html"]:
        message.add_alternative(row["body_html"], subtype="html")
    for item in _attachments(row):
        document = (await case_facts.reader().documents([item["document_id"]])).get(item["document_id"])
        if document is None:
            raise LookupError(f"attachment document {item['document_id']} does not exist")
        content, content_type = document
        maintype, _, subtype = (content_type or "application/pdf").partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=item["filename"])
    return message


class _Connection:
    """One SMTP session per batch, opened on first use; if the server can't be reached, the rest of the
    batch fails fast with the same error rather than waiting out a timeout per message."""

    def __init__(self, smtp: SmtpConfig) -> None:
        self.smtp = smtp
        self.client: aiosmtplib.SMTP | None = None
        self.connect_error: Exception | None = None
        self.connected = False  # the server answered at least once in this batch

    async def send(self, message: EmailMessage) -> None:
        if self.connect_error is not None:
            raise self.connect_error
        if self.client is None or not self.client.is_connected:
            self.client = aiosmtplib.SMTP(
                hostname=self.smtp.host,
                port=self.smtp.port,
                username=self.smtp.username,
                password=self.smtp.password,
                start_tls=self.smtp.starttls,
                timeout=self.smtp.timeout,
            )
            try:
                await self.client.connect()
            except Exception as exc:
                self.connect_error = exc
                raise
            self.connected = True
        # With a single recipient any refusal raises (SMTPRecipientsRefused or SMTPResponseException).
        await self.client.send_message(message)

    async def close(self) -> None:
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()


async def deliver_due(
    now: dt.datetime | None = None, limit: int = 50, smtp: SmtpConfig | None = None
) -> DeliveryReport:
    """Deliver what is due at `now`. Idempotent and safe to run concurrently (see the module docstring)."""
    now = now or dt.datetime.now(dt.UTC)
    smtp = smtp or default_smtp()
    rows = await claim_due(now, limit)
    report = DeliveryReport(claimed=len(rows))
    started = time.monotonic()
    connection = _Connection(smtp)
    try:
        for row in rows:
            outcome = await _deliver_one(row, now, smtp, connection, started)
            setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        await connection.close()
    if connection.connected:
        _outage.up(smtp, now)
    elif connection.connect_error is not None:
        _outage.down(smtp, connection.connect_error, now, report.retrying + report.failed)
    return report


async def _deliver_one(
    row: Mapping[str, Any], now: dt.datetime, smtp: SmtpConfig, connection: _Connection, started: float
) -> str:
    if time.monotonic() - started > LEASE.total_seconds() / 2:
        # Don't start a send whose lease may run out mid-way (another worker would send it too):
        # hand the row back, refunding the attempt it never had.
        released = await _settle(
            row,
            {
                Notification.status: _PENDING,
                Notification.attempts: row["attempts"] - 1,
                Notification.next_attempt_at: now,
            },
        )
        return "released" if released else "lost"
    if row["attempts"] > smtp.max_attempts:
        # Only a reclaimed row gets here: its last attempt's process died mid-delivery.
        return await _record_failure(row, now, "interrupted during the last attempt", smtp.max_attempts)
    try:
        if row["channel"] == Channel.letter.value:
            return "printed" if await print_letter(row, now) else "lost"
        await connection.send(await build_message(row, smtp, now))
    except Exception as exc:  # any failure is recorded on the row and retried; it must not stop the batch
        unreachable = exc is connection.connect_error
        return await _record_failure(
            row, now, f"{type(exc).__name__}: {exc}", smtp.max_attempts, quiet=unreachable
        )
    values = {
        Notification.status: DeliveryStatus.sent.value,
        Notification.sent_at: now,
        Notification.last_error: "",
    }
    return "sent" if await _settle(row, values) else "lost"
