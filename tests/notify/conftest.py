"""Outbox test fixtures: a real local SMTP server (aiosmtpd) and per-test cleanup of outbox rows.

The database is shared by the whole test session, so every test tags its rows with a unique prefix
(dedupe keys and recipient addresses) and counts only its own arrivals.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from mediation.cases.tables import CaseDocument
from mediation.notify.email import SmtpConfig
from mediation.notify.tables import LetterFile, Notification


class RecordingHandler:
    """Keeps what arrived; `refuse` set to an SMTP reply (e.g. "550 ...") makes the server refuse DATA."""

    def __init__(self) -> None:
        self.arrived: list[EmailMessage] = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.arrived.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        with socket.socket() as probe:  # a free port for this test
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller: Controller | None = None

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig(host="127.0.0.1", port=self.port, sender="Outbox Test <outbox@send-mediation.test>")

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.handler.arrived if m["X-Envelope-To"] == address]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def tag(app: object) -> AsyncIterator[str]:
    """A unique prefix for this test's dedupe keys and addresses; its rows are removed afterwards.

    Other tests leave messages queued in the shared database; they are marked sent first so a delivery
    batch in these tests only holds this test's own messages, whatever ran before.
    """
    await Notification.update({Notification.status: "sent"}).where(Notification.status == "pending")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    await remove_messages(Notification.dedupe_key.like(f"{prefix}%"))


async def remove_messages(where: object) -> None:
    """Delete the outbox rows matching a WHERE clause, and their letters' PDFs first."""
    ids = [r["id"] for r in await Notification.select(Notification.id).where(where)]  # type: ignore[arg-type]
    if ids:
        await LetterFile.delete().where(LetterFile.notification.is_in(ids))
        await Notification.delete().where(Notification.id.is_in(ids))


async def add_document(content: bytes, filename: str = "decision.pdf") -> int:
    """A CaseDocument (no case) for an email to attach; the test deletes it."""
    rows = await CaseDocument.insert(
        CaseDocument(
            kind="decision_letter",
            filename=filename,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_at=dt.datetime.now(dt.UTC),
        )
    ).returning(CaseDocument.id)
    return rows[0]["id"]
