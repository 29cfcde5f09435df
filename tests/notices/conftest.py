"""Notice tests start with the demo LA holding the contacts a notice needs (reg 32(c) and (f)), and leave
no messages waiting in the shared outbox (the outbox tests deliver the oldest 50 due messages at a time)."""

from collections.abc import AsyncIterator

import pytest

from mediation.notify.tables import LetterFile, Notification
from tests.notices.helpers import ensure_demo_contacts


@pytest.fixture(autouse=True)
async def demo_contacts(app: object) -> AsyncIterator[None]:
    await ensure_demo_contacts()
    yield
    ours = Notification.dedupe_key.like("notice:%")
    ids = [r["id"] for r in await Notification.select(Notification.id).where(ours)]
    if ids:
        await LetterFile.delete().where(LetterFile.notification.is_in(ids))
        await Notification.delete().where(Notification.id.is_in(ids))
