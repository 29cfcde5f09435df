"""Outbox rows for the fault tests: a unique prefix per test (dedupe keys and addresses), removed after."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest

from mediation import timekeeping
from mediation.notify.service import queue_email
from mediation.notify.tables import Notification
from tests.notify.conftest import remove_messages


@pytest.fixture
async def tag(app: object) -> AsyncIterator[str]:
    prefix = f"fault{uuid.uuid4().hex[:10]}"
    yield prefix
    await remove_messages(Notification.dedupe_key.like(f"{prefix}-%"))


async def queue_numbered_email(tag: str, n: int, at: dt.datetime, **fields: object) -> int:
    """Queue message `n` of this test as if at `at` (so it is due from then); its outbox id."""
    with timekeeping.use_clock(at):
        assert await queue_email(
            to=f"{tag}-{n}@example.com",
            name="Alex Parent",
            dedupe_key=f"{tag}-{n}",
            **{"subject": f"Message {n}", "body_text": f"Message {n}.", **fields},  # type: ignore[arg-type]
        )
    row = await Notification.select(Notification.id).where(Notification.dedupe_key == f"{tag}-{n}").first()
    return int(row["id"])
