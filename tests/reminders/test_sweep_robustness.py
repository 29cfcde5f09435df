"""The database is the source of truth: a crashed sweep re-run, or two processes sweeping at once,
queue every reminder exactly once, and each arrives once at a real SMTP server."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from mediation.audit.tables import AuditEvent
from mediation.reminders import service
from mediation.reminders.service import run_sweeps, sweep_clocks
from mediation.settings import ROOT, settings
from tests.reminders.conftest import deliver_all, outbox
from tests.reminders.helpers import cases_owed_reminders

pytestmark = pytest.mark.anyio

D = dt.date
TODAY = D(2027, 3, 24)  # Wed: 2 working days before Tue 30 Mar 2027 (Easter in between)
MORNING = dt.datetime(2027, 3, 24, 9, 30, tzinfo=dt.UTC)


def _arrivals(server) -> collections.Counter:
    return collections.Counter((m["X-Envelope-To"], m["Subject"]) for m in server.handler.arrived)


def _expected(n: int) -> tuple[int, int]:
    return 3 * n, (n + 1) // 2  # 3 recipients of each reminder; every other case escalated


async def test_a_sweep_interrupted_mid_way_and_run_again_sends_nothing_twice_and_misses_nothing(
    place, smtp_server, monkeypatch
):
    case_ids = await cases_owed_reminders(place, 6)
    reminders, escalations = _expected(6)
    monkeypatch.setattr(service, "BATCH", 2)  # clocks: several batches, each in its own transaction
    real_insert = service.insert_new
    calls = 0

    async def failing_insert(rows):
        nonlocal calls
        calls += 1
        if calls == 2:  # the second batch's messages, inside its transaction
            raise RuntimeError("the process was killed")
        return await real_insert(rows)

    monkeypatch.setattr(service, "insert_new", failing_insert)
    with pytest.raises(RuntimeError):
        await sweep_clocks(TODAY, local_authorities=[place.la])
    after_crash = len(await outbox(place))
    assert 0 < after_crash < reminders + escalations
    monkeypatch.setattr(service, "insert_new", real_insert)

    report = await sweep_clocks(TODAY, local_authorities=[place.la])
    assert report.reminders + report.escalations == reminders + escalations - after_crash
    assert (await sweep_clocks(TODAY, local_authorities=[place.la])).reminders == 0
    await deliver_all(smtp_server)
    arrived = _arrivals(smtp_server)
    ours = {k: v for k, v in arrived.items() if k[0].endswith(f"@{place.tag}.example")}
    assert len(ours) == reminders + escalations  # nothing missed
    assert set(ours.values()) == {1}  # nothing twice
    breaches = await AuditEvent.count().where(
        AuditEvent.disagreement_id.is_in(case_ids) & (AuditEvent.action == "breach")
    )
    assert breaches == escalations


SWEEPER = """
import json, sys, time
from pathlib import Path
from mediation.reminders import sweep, service  # import first, so both start sweeping together

async def nothing_queued_yet(keys):
    return set()  # skip the read-ahead: every insert races the other process's on the unique key

service.already_queued = nothing_queued_yet
go = Path(sys.argv[1])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
sys.exit(sweep.main(sys.argv[2:]))
"""


async def _run_two_sweepers(place) -> list[dict]:
    go = Path(tempfile.mkdtemp(prefix="sweep-go-")) / "go"
    args = ["--now", MORNING.isoformat(), "--local-authority", str(place.la)]
    # The database this test session really uses (importing tests.conftest twice can move the env var).
    env = {
        "BASE_URL": settings.base_url,
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": settings.database_url,
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SWEEPER,
            str(go),
            *args,
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    await asyncio.sleep(1.5)  # both have imported the app and are waiting
    go.touch()
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()[-3000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


async def test_two_processes_sweeping_at_once_queue_and_deliver_each_reminder_exactly_once(
    place, smtp_server
):
    case_ids = await cases_owed_reminders(place, 20)
    reminders, escalations = _expected(20)
    results = await _run_two_sweepers(place)
    # Between them the two processes queued each message once: whatever one queued, the other found.
    assert sum(r["reminders"] for r in results) == reminders
    assert sum(r["escalations"] for r in results) == escalations
    assert sum(r["digests"] for r in results) == 2  # one for each coordinator today
    queued = await outbox(place)
    assert len(queued) == reminders + escalations + 2
    # A second pair finds everything already queued.
    again = await _run_two_sweepers(place)
    assert sum(r["reminders"] + r["escalations"] + r["digests"] for r in again) == 0
    await deliver_all(smtp_server)
    ours = {k: v for k, v in _arrivals(smtp_server).items() if k[0].endswith(f"@{place.tag}.example")}
    assert len(ours) == reminders + escalations + 2
    assert set(ours.values()) == {1}
    breaches = await AuditEvent.count().where(
        AuditEvent.disagreement_id.is_in(case_ids) & (AuditEvent.action == "breach")
    )
    assert breaches == escalations


async def test_the_scheduler_runs_the_sweep_at_start_up_and_every_quarter_hour(monkeypatch):
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from mediation import jobs

    real_start = AsyncIOScheduler.start
    monkeypatch.setattr(AsyncIOScheduler, "start", lambda self, paused=False: real_start(self, paused=True))
    scheduler = jobs.start_scheduler()
    try:
        job = scheduler.get_job("sweep_reminders")
        assert job is not None
        assert job.next_run_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)  # at once: catch up
        assert job.trigger.interval == dt.timedelta(minutes=15)
    finally:
        scheduler.shutdown(wait=False)


async def test_one_run_queues_reminders_escalations_and_digests_together(place):
    await cases_owed_reminders(place, 1)
    first = await run_sweeps(MORNING, local_authorities=[place.la])
    assert (first.reminders, first.escalations, first.digests) == (3, 1, 2)
