"""The embedded mail catcher: on a demo or test set-up (MAILBOX), a local SMTP server in this process
receives what the outbox sends and keeps every message in the database for the admin mailbox page.

It runs on the app's own event loop (aiosmtpd's protocol, not its threaded Controller), so storing a
message uses the app's database connection like any other query. Messages go to the `mailbox_message`
table, not to memory: every process and every restart shows the same mailbox. Only a process that
delivers the outbox (RUN_SCHEDULER) starts a catcher, on MAILBOX_PORT or a free port, and its deliveries
go to it (`notify/email.py: default_smtp`). In production MAILBOX is off and mail goes to SMTP_HOST.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from mediation import timekeeping
from mediation.notify.tables import MailboxMessage
from mediation.settings import Settings

log = logging.getLogger(__name__)
# aiosmtpd logs every SMTP command at INFO: the mailbox page is where to read the mail, not the log.
logging.getLogger("mail.log").setLevel(logging.WARNING)

HOST = "127.0.0.1"  # loopback only: the catcher accepts mail from anyone who can reach it
MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def parse(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def header(message: EmailMessage, name: str) -> str:
    """A header as text; a malformed one as it was written rather than an error."""
    try:
        value = message.get(name, "")
    except (ValueError, TypeError, IndexError, LookupError):  # a header the parser cannot decode
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), "")
    return " ".join(str(value or "").split())


async def store(mail_from: str, recipients: list[str], content: bytes) -> int:
    """Keep one message as it arrived; returns its id."""
    subject = header(parse(content), "Subject")
    row = MailboxMessage(
        # Like outbox delivery, the mailbox keeps the wall clock: a pinned demo date must not stop it.
        received_at=timekeeping.Clock().now(),
        mail_from=(mail_from or "")[:320],
        recipients=", ".join(recipients),
        subject=subject,
        size=len(content),
        content=content,
    )
    await row.save()
    return int(row.id)


async def message(message_id: int) -> dict[str, Any] | None:
    """A stored message, whole, or None."""
    return await MailboxMessage.select().where(MailboxMessage.id == message_id).first()


async def messages(*, page: int, page_size: int) -> list[dict[str, Any]]:
    """One page of the list, newest first, and the first row of the next page if there is one."""
    return (
        await MailboxMessage.select(
            MailboxMessage.id,
            MailboxMessage.received_at,
            MailboxMessage.recipients,
            MailboxMessage.subject,
            MailboxMessage.size,
        )
        .order_by(MailboxMessage.id, ascending=False)
        .limit(page_size + 1)
        .offset((page - 1) * page_size)
    )


async def count() -> int:
    return await MailboxMessage.count()


class _Handler:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        try:
            await store(envelope.mail_from or "", list(envelope.rcpt_tos), content)
        except Exception:
            # A temporary failure: the outbox keeps the message and tries again later.
            log.exception("the mailbox could not keep a message")
            return "451 Requested action aborted: the mailbox could not keep the message"
        return "250 Message accepted for delivery"


@dataclass
class Catcher:
    server: asyncio.Server
    host: str
    port: int

    async def close(self) -> None:
        global _running
        self.server.close()
        await self.server.wait_closed()
        if _running is self:
            _running = None


_running: Catcher | None = None


def running() -> Catcher | None:
    """This process's catcher, if it has started one."""
    return _running


async def start(port: int = 0, host: str = HOST) -> Catcher:
    """Listen for SMTP on `host`:`port` (0: a free port) on the running event loop."""
    global _running
    loop = asyncio.get_running_loop()
    handler = _Handler()

    def protocol() -> SMTP:
        return SMTP(
            handler,
            hostname="mailbox.localhost",  # not socket.getfqdn(): no DNS look-up per connection
            ident="send-mediation mailbox",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            loop=loop,
        )

    try:
        server = await loop.create_server(protocol, host=host, port=port)
    except OSError as exc:
        raise RuntimeError(
            f"the mailbox cannot listen on {host}:{port} ({exc.strerror or exc}): "
            "set MAILBOX_PORT to a free port, or leave it unset for any free port"
        ) from exc
    bound = server.sockets[0].getsockname()[1]
    catcher = Catcher(server=server, host=host, port=int(bound))
    _running = catcher
    return catcher


async def start_for(config: Settings) -> Catcher | None:
    """At start-up: the catcher where this process delivers the outbox and the mailbox is on, and a line
    in the log saying where to read the mail."""
    if not config.mailbox:
        return None
    where = f"{config.base_url}/admin/mailbox"
    who = "admin@send-mediation.example" if config.load_demo_data else "an administrator"
    if not config.run_scheduler:
        log.info("Mail goes to the mailbox (caught by the process that runs the scheduler): %s", where)
        return None
    catcher = await start(config.mailbox_port)
    log.info(
        "Mail goes to the mailbox, not to real addresses (SMTP catcher on %s:%d): sign in as %s at %s",
        catcher.host,
        catcher.port,
        who,
        where,
    )
    return catcher
