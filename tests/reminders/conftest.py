"""Reminder fixtures: a dedicated LA per test, the outbox's real SMTP server, and outbox clean-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from mediation.notify.email import deliver_due
from mediation.notify.tables import LetterFile, Notification
from tests.notify.conftest import SmtpServer, smtp_server  # noqa: F401 - reused fixture
from tests.reminders.helpers import Place, make_place


@pytest.fixture
async def place(app: object) -> AsyncIterator[Place]:
    made = await make_place()
    yield made
    await remove_outbox(made)


async def remove_outbox(place: Place) -> None:
    """Drop the messages this test's sweeps queued, so other tests' deliveries never meet them."""
    ids = [r["id"] for r in await Notification.select(Notification.id).where(_ours(place))]
    if ids:
        await LetterFile.delete().where(LetterFile.notification.is_in(ids))
        await Notification.delete().where(Notification.id.is_in(ids))


async def deliver_all(server: SmtpServer) -> None:
    """Run the outbox until nothing is due (it works in batches)."""
    while (await deliver_due(now=dt.datetime.now(dt.UTC), smtp=server.config)).claimed:
        pass


async def outbox(place: Place) -> list[dict]:
    """This place's queued messages, oldest first."""
    return await Notification.select().where(_ours(place)).order_by(Notification.id)


def _ours(place: Place):  # noqa: ANN202 - a Piccolo WHERE clause
    by_address = Notification.recipient_email.like(f"%@{place.tag}.example")
    return by_address | Notification.disagreement_id.is_in(place.cases or [-1])
