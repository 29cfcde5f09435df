"""kill -9 of a process in the middle of outbox delivery, then a restart: nothing lost, nothing sent
twice, wherever the kill lands, except in the one window no outbox can close (the SMTP server has
accepted the message and the process dies before writing that down). There the message is sent again
with the same Message-ID, the header mail systems use to recognise the same message."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import email
import email.policy
import threading

import pytest
from aiosmtpd.controller import Controller

from mediation import timekeeping
from mediation.notify.email import LEASE
from mediation.notify.service import queue_letter
from mediation.notify.tables import LetterFile, Notification
from tests.faults.conftest import queue_numbered_email
from tests.faults.processes import HANG, Child, poll
from tests.notify.conftest import SmtpServer

pytestmark = pytest.mark.anyio

T0 = dt.datetime(2001, 3, 4, 9, 0, tzinfo=dt.UTC)  # no other test's message is due then
COUNT = 8
KILLED_AT = 3  # the kill comes after the 3rd message has gone out

DELIVER = (
    HANG
    + """
import dataclasses, datetime as dt, json, sys
import mediation
from mediation.notify import email as outbox

args = json.loads(sys.argv[1])
mode, after = args["mode"], args["after"]
sent = 0

if mode == "after_recorded":  # killed between messages: the 3rd is sent and recorded
    real_settle = outbox._settle

    async def settle(row, values):
        global sent
        settled = await real_settle(row, values)
        if "sent" in values.values():
            sent += 1
            if sent == after:
                await hang(args["marker"])
        return settled

    outbox._settle = settle
elif mode == "after_accepted":  # killed after the SMTP server said 250, before the outbox recorded it
    real_send = outbox._Connection.send

    async def send(self, message):
        global sent
        await real_send(self, message)
        sent += 1
        if sent == after:
            await hang(args["marker"])

    outbox._Connection.send = send
elif mode == "letter_in_transaction":  # the 3rd letter is marked printed, its PDF not yet stored
    from mediation.notify.tables import LetterFile

    real_insert = LetterFile.insert

    def insert(*rows, **kwargs):
        global sent
        sent += 1
        if sent == after:
            return hang(args["marker"])
        return real_insert(*rows, **kwargs)

    LetterFile.insert = insert
# mode "in_data": no hook; the test's SMTP server holds its reply to the 4th message

smtp = outbox.SmtpConfig(host="127.0.0.1", port=args["port"], sender="Faults <faults@send-mediation.test>")
report = asyncio.run(outbox.deliver_due(now=dt.datetime.fromisoformat(args["now"]), smtp=smtp))
print(json.dumps(dataclasses.asdict(report)))
"""
)


class HoldingHandler:
    """Records what it accepts; can hold its reply to the n-th message (the client waits for the 250)."""

    def __init__(self) -> None:
        self.arrived: list[email.message.EmailMessage] = []
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.aborted = 0  # messages whose sender vanished before we replied: not accepted
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.count += 1
        if self.count == self.hold_at:
            self.holding.set()
            try:
                await asyncio.sleep(3600)  # until the connection drops (aiosmtpd cancels us)
            except asyncio.CancelledError:
                self.aborted += 1
                raise
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.arrived.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def catcher():
    server = SmtpServer()
    server.handler = HoldingHandler()
    server.controller = Controller(server.handler, hostname="127.0.0.1", port=server.port)
    server.controller.start()
    try:
        yield server
    finally:
        server.stop()


async def _queue(tag: str) -> None:
    for n in range(COUNT):
        await queue_numbered_email(tag, n, T0, subject=f"Reminder {n}")


def _deliver(mode: str, port: int, now: dt.datetime) -> Child:
    return Child(DELIVER, {"mode": mode, "after": KILLED_AT, "port": port, "now": now.isoformat()})


async def _rows(tag: str) -> list[dict]:
    return (
        await Notification.select().where(Notification.dedupe_key.like(f"{tag}-%")).order_by(Notification.id)
    )


def _ours(catcher, tag: str) -> list:
    return [m for m in catcher.handler.arrived if m["X-Envelope-To"].startswith(f"{tag}-")]


async def _restart_and_deliver(catcher, tag: str) -> None:
    """A new process after the dead one's lease has run out; then one more, which finds nothing to do."""
    after_lease = T0 + LEASE + dt.timedelta(seconds=1)
    catcher.handler.hold_at = None
    report = await (await _deliver("plain", catcher.port, after_lease).start()).finish()
    assert report["failed"] == 0 and report["lost"] == 0
    again = await (await _deliver("plain", catcher.port, after_lease + LEASE).start()).finish()
    assert again["claimed"] == 0
    rows = await _rows(tag)
    assert [r["status"] for r in rows] == ["sent"] * COUNT


@pytest.mark.parametrize("mode", ["after_recorded", "in_data"])
async def test_killed_mid_delivery_then_restarted_every_message_arrives_exactly_once(tag, catcher, mode):
    await _queue(tag)
    if mode == "in_data":
        catcher.handler.hold_at = KILLED_AT + 1
    child = await _deliver(mode, catcher.port, T0).start()
    if mode == "in_data":
        # The 4th message's data is with the server, which has not answered: kill the sender now.
        await poll(catcher.handler.holding.is_set, what="the SMTP server to hold the 4th message")
        await child.kill()
        await poll(lambda: catcher.handler.aborted == 1, what="the server to see the sender vanish")
    else:
        await child.kill_at_marker()
    rows = await _rows(tag)
    assert [r["status"] for r in rows] == ["sent"] * KILLED_AT + ["sending"] * (COUNT - KILLED_AT)
    assert len(_ours(catcher, tag)) == KILLED_AT

    await _restart_and_deliver(catcher, tag)
    arrived = collections.Counter(m["X-Envelope-To"] for m in _ours(catcher, tag))
    assert arrived == {f"{tag}-{n}@example.com": 1 for n in range(COUNT)}
    # In the order they were queued, the dead process's three first.
    assert [m["X-Envelope-To"] for m in _ours(catcher, tag)] == [
        f"{tag}-{n}@example.com" for n in range(COUNT)
    ]


async def test_killed_after_the_server_accepted_a_message_it_is_sent_again_with_the_same_message_id(
    tag, catcher
):
    await _queue(tag)
    await (await _deliver("after_accepted", catcher.port, T0).start()).kill_at_marker()
    rows = await _rows(tag)
    # The 3rd was accepted by the server but the process died before recording it.
    assert [r["status"] for r in rows] == ["sent"] * (KILLED_AT - 1) + ["sending"] * (COUNT - KILLED_AT + 1)
    await _restart_and_deliver(catcher, tag)
    copies = collections.defaultdict(list)
    for message in _ours(catcher, tag):
        copies[message["X-Envelope-To"]].append(message["Message-ID"])
    in_flight = f"{tag}-{KILLED_AT - 1}@example.com"
    assert {to: len(ids) for to, ids in copies.items()} == {
        f"{tag}-{n}@example.com": 2 if f"{tag}-{n}@example.com" == in_flight else 1 for n in range(COUNT)
    }
    first, second = copies[in_flight]
    assert first == second  # the same message, as far as any mail system can tell
    assert len({ids[0] for ids in copies.values()}) == COUNT


async def test_killed_while_storing_a_letter_then_restarted_every_letter_is_printed_exactly_once(
    tag, catcher
):
    with timekeeping.use_clock(T0):
        for n in range(COUNT):
            assert await queue_letter(
                name="Alex Parent",
                address="1 High Street\nTesttown\nTT1 1TT",
                subject=f"Letter {n}",
                body_text=f"Letter {n}.",
                dedupe_key=f"{tag}-{n}",
            )
    await (await _deliver("letter_in_transaction", catcher.port, T0).start()).kill_at_marker()
    rows = await _rows(tag)
    # The 3rd letter's transaction died with the process: not printed, no PDF.
    assert [r["status"] for r in rows] == ["printed"] * (KILLED_AT - 1) + ["sending"] * (
        COUNT - KILLED_AT + 1
    )
    after_lease = T0 + LEASE + dt.timedelta(seconds=1)
    report = await (await _deliver("plain", catcher.port, after_lease).start()).finish()
    assert report["printed"] == COUNT - KILLED_AT + 1
    rows = await _rows(tag)
    assert [r["status"] for r in rows] == ["printed"] * COUNT
    files = await LetterFile.select(LetterFile.notification).where(
        LetterFile.notification.is_in([r["id"] for r in rows])
    )
    assert collections.Counter(f["notification"] for f in files) == {r["id"]: 1 for r in rows}
