"""kill -9 of a process in the middle of a reminder sweep (inside a batch's transaction, or between two
batches), then a restart: every reminder and escalation is queued once, arrives once, and every breach is
noted on the timeline once."""

from __future__ import annotations

import collections
import datetime as dt

import pytest

from mediation.audit.tables import AuditEvent
from tests.faults.processes import HANG, Child
from tests.reminders.conftest import deliver_all, outbox
from tests.reminders.conftest import place as place  # noqa: F401 - fixture
from tests.reminders.conftest import smtp_server as smtp_server  # noqa: F401 - fixture
from tests.reminders.helpers import cases_owed_reminders

pytestmark = pytest.mark.anyio

MORNING = dt.datetime(2027, 3, 24, 9, 30, tzinfo=dt.UTC)  # 2 working days before Tue 30 Mar 2027
CASES = 6
REMINDERS, ESCALATIONS, DIGESTS = 3 * CASES, CASES // 2, 2

SWEEP = (
    HANG
    + """
import contextlib, json, sys
import mediation
from mediation.reminders import service, sweep

args = json.loads(sys.argv[1])
mode, after = args["mode"], args["after"]
inserts = committed = 0
service.BATCH = 2  # clocks, so that 6 cases make several batches

if mode == "inside_transaction":  # a batch's messages are written, its transaction is still open
    real_insert = service.insert_new

    async def insert_new(rows):
        global inserts
        result = await real_insert(rows)
        inserts += 1
        if inserts == after:
            await hang(args["marker"])
        return result

    service.insert_new = insert_new
elif mode == "between_batches":  # a batch's transaction has committed, the next has not begun
    real_transaction = service.transaction

    @contextlib.asynccontextmanager
    async def transaction():
        global committed
        async with real_transaction():
            yield
        committed += 1
        if committed == after:
            await hang(args["marker"])

    service.transaction = transaction

sys.exit(sweep.main(["--now", args["now"], "--local-authority", str(args["la"])]))
"""
)


def _sweep(place, mode: str, after: int) -> Child:
    return Child(SWEEP, {"mode": mode, "after": after, "now": MORNING.isoformat(), "la": place.la})


@pytest.mark.parametrize(
    ("mode", "after", "committed_before_kill"),
    [
        # Clocks are swept two at a time in (due, id) order: the 1st batch is two overdue clocks (one
        # escalation each), the 2nd the third overdue clock and case 0's reminder clock (1 + 3 messages).
        # Killed with the 2nd batch written but not committed, only the 1st batch's 2 are there.
        ("inside_transaction", 2, 2),
        ("between_batches", 2, 6),
    ],
)
async def test_a_sweep_killed_mid_way_and_run_again_queues_and_delivers_everything_once(
    place,  # noqa: F811
    smtp_server,  # noqa: F811
    mode,
    after,
    committed_before_kill,
):
    case_ids = await cases_owed_reminders(place, CASES)
    await (await _sweep(place, mode, after).start()).kill_at_marker()
    # What the dead process committed is there; its open transaction has gone.
    assert len(await outbox(place)) == committed_before_kill

    report = await (await _sweep(place, "plain", 0).start()).finish()
    assert report["reminders"] + report["escalations"] == REMINDERS + ESCALATIONS - committed_before_kill
    assert report["digests"] == DIGESTS
    again = await (await _sweep(place, "plain", 0).start()).finish()
    assert again["reminders"] + again["escalations"] + again["digests"] == 0

    queued = await outbox(place)
    assert len(queued) == REMINDERS + ESCALATIONS + DIGESTS
    assert len({r["dedupe_key"] for r in queued}) == len(queued)
    await deliver_all(smtp_server)
    arrived = collections.Counter(
        (m["X-Envelope-To"], m["Subject"])
        for m in smtp_server.handler.arrived
        if m["X-Envelope-To"].endswith(f"@{place.tag}.example")
    )
    assert len(arrived) == REMINDERS + ESCALATIONS + DIGESTS  # nothing lost
    assert set(arrived.values()) == {1}  # nothing twice
    breaches = await AuditEvent.count().where(
        AuditEvent.disagreement_id.is_in(case_ids) & (AuditEvent.action == "breach")
    )
    assert breaches == ESCALATIONS
