"""The SMTP server down for a while, then back: every message waits with a growing backoff (visible on
the admin outbox page), then arrives exactly once, in the order it was queued."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from mediation.notify.email import deliver_due
from mediation.notify.tables import Notification
from tests.conftest import client_as
from tests.faults.conftest import queue_numbered_email
from tests.notify.conftest import SmtpServer

pytestmark = pytest.mark.anyio

# Far from the wall clock, so no other test's queued message is due when these deliveries run.
T0 = dt.datetime(2001, 2, 3, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
CHILD = "Morgan Quill-Testchild"


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M:%S UTC")


async def _queue(tag: str, n: int, at: dt.datetime) -> int:
    return await queue_numbered_email(
        tag,
        n,
        at,
        subject=f"Disagreement update {n}",
        body_text=f"About {CHILD}: message {n}.",
        forbidden_names=[CHILD],
    )


async def _ours(tag: str) -> dict[int, dict]:
    rows = await Notification.select().where(Notification.dedupe_key.like(f"{tag}-%"))
    return {int(r["dedupe_key"].rsplit("-", 1)[1]): r for r in rows}


def _page_row(page: str, message_id: int) -> list[str]:
    """The cells of one message's row on the outbox page, as text."""
    match = re.search(rf'<tr class="govuk-table__row" id="message-{message_id}">(.*?)</tr>', page, re.S)
    assert match, f"message {message_id} is not on the page"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


async def test_smtp_down_then_back_backs_off_visibly_then_delivers_each_once_in_queue_order(app, tag):
    server = SmtpServer()  # a free port with nothing listening yet: the mail server is down
    admin = await client_as(app, "admin")
    ids = {0: await _queue(tag, 0, T0), 1: await _queue(tag, 1, T0)}
    seen_next: list[dt.datetime] = []
    # The outage: deliveries every 30 seconds, messages queued part-way through (so they are at
    # different attempts, and their retry times interleave with the older messages').
    moment = T0
    while moment <= T0 + 8 * MINUTE:
        if moment == T0 + MINUTE // 2:
            ids[2] = await _queue(tag, 2, moment)
        if moment == T0 + 3 * MINUTE + MINUTE // 2:
            ids[3] = await _queue(tag, 3, moment)
        report = await deliver_due(now=moment, smtp=server.config)
        assert report.sent == 0
        rows = await _ours(tag)
        if not seen_next or rows[0]["next_attempt_at"] != seen_next[-1]:
            seen_next.append(rows[0]["next_attempt_at"])
            page = (await admin.get("/admin/outbox?status=pending")).text
            cells = _page_row(page, ids[0])
            assert cells[1] == "Queued"
            assert cells[3] == "Disagreement update 0"
            assert cells[4] == str(rows[0]["attempts"])
            assert cells[5] == _when(rows[0]["next_attempt_at"])
            assert "Error connecting to 127.0.0.1" in cells[6]
            assert cells[7] == _when(T0)
            assert cells[8] == ""
        moment += MINUTE // 2
    # The first message was tried at 0, 1, 3 and 7 minutes: each wait twice the one before.
    gaps = [b - a for a, b in zip([T0, *seen_next], seen_next, strict=False)]
    assert gaps == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    rows = await _ours(tag)
    assert {n: r["attempts"] for n, r in rows.items()} == {0: 4, 1: 4, 2: 4, 3: 3}
    assert all(r["status"] == "pending" for r in rows.values())
    page = (await admin.get("/admin/outbox")).text
    assert CHILD not in page  # the list never shows a message body

    server.start()  # the mail server is back
    try:
        back = T0 + 20 * MINUTE  # every retry is due
        report = await deliver_due(now=back, smtp=server.config)
        assert report.sent >= 4
        assert (await deliver_due(now=back + 60 * MINUTE, smtp=server.config)).sent == 0
        ours = [m for m in server.handler.arrived if m["X-Envelope-To"].startswith(f"{tag}-")]
        assert [m["X-Envelope-To"] for m in ours] == [f"{tag}-{n}@example.com" for n in range(4)]
    finally:
        server.stop()
    rows = await _ours(tag)
    page = (await admin.get("/admin/outbox?status=sent")).text
    for n, row in rows.items():
        assert row["status"] == "sent" and row["last_error"] == ""
        cells = _page_row(page, ids[n])
        assert cells[1] == "Sent"
        assert cells[5] == ""  # nothing more to try
        assert cells[8] == _when(back)


async def test_the_outbox_page_filters_by_status_and_pages(app, tag):
    admin = await client_as(app, "admin")
    failed_id = await _queue(tag, 0, T0)
    await Notification.update(
        {Notification.status: "failed", Notification.last_error: "550 no such user"}
    ).where(Notification.id == failed_id)
    page = (await admin.get("/admin/outbox?status=failed")).text
    assert _page_row(page, failed_id)[1] == "Failed"
    assert "550 no such user" in page
    assert f'id="message-{failed_id}"' not in (await admin.get("/admin/outbox?status=sent")).text
    # Paging: 50 a page, newest first; page 2 follows on from page 1.
    for n in range(1, 52):
        await _queue(tag, n, T0)
    first = (await admin.get("/admin/outbox?status=pending")).text
    second = (await admin.get("/admin/outbox?status=pending&page=2")).text
    on_first = set(re.findall(r'id="message-(\d+)"', first))
    on_second = set(re.findall(r'id="message-(\d+)"', second))
    assert len(on_first) == 50 and on_first.isdisjoint(on_second)
    assert "Older messages" in first and "Newer messages" in second


@pytest.mark.parametrize("query", ["status=nonsense", "page=0", "page=-1", "page=abc", "page=99999999999"])
async def test_a_bad_filter_is_a_clear_400_not_a_500(app, query):
    admin = await client_as(app, "admin")
    response = await admin.get(f"/admin/outbox?{query}")
    assert response.status_code == 400
    assert "There is a problem with your request" in response.text
    said = ("status must be one of", "page must be a whole number", "page is too large a number")
    assert any(reason in response.text for reason in said)
