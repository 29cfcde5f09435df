"""Mediation tests queue many notices and invites; remove what each test queued once it has been checked,
so the shared outbox is left as it was for the delivery tests that run later in the session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mediation.notify.tables import LetterFile, Notification

HERE = Path(__file__).parent
CLEANUP = "_leave_the_outbox_as_it_was"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Only the async (AnyIO) tests here get the clean-up: the pure slot-finder tests have no event loop."""
    for item in items:
        if HERE in Path(str(item.path)).parents and item.get_closest_marker("anyio"):
            names = getattr(item, "fixturenames", None)
            if names is not None and CLEANUP not in names:
                names.append(CLEANUP)


@pytest.fixture
async def _leave_the_outbox_as_it_was(app: object) -> AsyncIterator[None]:
    last = await Notification.select(Notification.id).order_by(Notification.id, ascending=False).first()
    before = last["id"] if last else 0
    yield
    ours = (Notification.id > before) & (Notification.status == "pending")
    ids = [r["id"] for r in await Notification.select(Notification.id).where(ours)]
    if ids:
        await LetterFile.delete().where(LetterFile.notification.is_in(ids))
        await Notification.delete().where(Notification.id.is_in(ids))
