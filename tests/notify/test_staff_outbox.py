"""A coordinator's outbox (issue 15 part 5): the messages about their own organisation's cases, queued,
retrying, sent or failed, with attempts and the next try; never another organisation's, never a body."""

from __future__ import annotations

import secrets

import pytest

from mediation import timekeeping
from mediation.cases.tables import Disagreement
from mediation.db import transaction
from mediation.notify.service import queue_email
from mediation.notify.tables import Notification
from tests.cases.helpers import lodge, own_la
from tests.cases.test_work_queue import client_for
from tests.conftest import client_as

pytestmark = pytest.mark.anyio


async def _message(reference: str, subject: str, **change: object) -> int:
    case = await Disagreement.select(Disagreement.id).where(Disagreement.reference == reference).first()
    key = f"test:{secrets.token_hex(6)}"
    async with transaction():
        await queue_email(
            to="someone@example.com",
            name="Someone",
            subject=subject,
            body_text="BODY-NEVER-SHOWN",
            dedupe_key=key,
            disagreement_id=case["id"],
        )
    row = await Notification.select(Notification.id).where(Notification.dedupe_key == key).first()
    if change:
        await Notification.update({getattr(Notification, k): v for k, v in change.items()}).where(
            Notification.id == row["id"]
        )
    return int(row["id"])


async def test_a_coordinator_sees_only_their_own_cases_messages_and_their_delivery(app):
    la, other = await own_la(), await own_la()
    mine, theirs = await lodge(la, "Outbox Child", due=None), await lodge(other, "Elsewhere Child", due=None)
    queued = await _message(mine, "Ours queued")
    retrying = await _message(mine, "Ours retrying", attempts=3, last_error="421 try later")
    sent = await _message(mine, "Ours sent", status="sent", attempts=1, sent_at=timekeeping.now())
    failed = await _message(mine, "Ours failed", status="failed", attempts=8, last_error="550 no such user")
    foreign = await _message(theirs, "Theirs secret subject")

    coordinator = await client_for(app, la.coordinator.email)
    page = await coordinator.get("/outbox")
    assert page.status_code == 200
    for message_id in (queued, retrying, sent, failed):
        assert f'id="message-{message_id}"' in page.text
    assert f'id="message-{foreign}"' not in page.text and "Theirs secret subject" not in page.text
    assert "BODY-NEVER-SHOWN" not in page.text
    row = page.text.split(f'id="message-{retrying}"')[1].split("</tr>")[0]
    assert "Retrying" in row and ">3<" in row and "421 try later" in row
    assert "Queued" in page.text.split(f'id="message-{queued}"')[1].split("</tr>")[0]
    only_failed = await coordinator.get("/outbox?status=failed")
    assert f'id="message-{failed}"' in only_failed.text and f'id="message-{sent}"' not in only_failed.text
    assert "Failed (1)" in only_failed.text  # the counts are this organisation's too
    assert (await coordinator.get("/outbox?status=nonsense")).status_code == 400

    outsider = await client_for(app, other.coordinator.email)
    theirs_page = (await outsider.get("/outbox")).text
    assert f'id="message-{foreign}"' in theirs_page and f'id="message-{queued}"' not in theirs_page
    for role in ("family", "mediator", "admin"):
        client = await client_as(app, role)
        assert (await client.get("/outbox")).status_code == 403
        await client.aclose()
    await coordinator.aclose()
    await outsider.aclose()
