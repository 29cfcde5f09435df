"""Several worker processes, one scheduler: only the process holding the lease runs the jobs, and when
it stops another takes over (issue 17: with WEB_CONCURRENCY each worker would have run every job)."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from mediation.settings import ROOT, settings

pytestmark = pytest.mark.anyio

HOLDER = """
import asyncio, sys
import mediation
from mediation import scheduler_lease
from mediation.scheduler_lease import SchedulerLease, run_when_leased
from mediation.settings import settings

scheduler_lease.RETRY_SECONDS = 0.2

async def main():
    lease = SchedulerLease(settings)
    await run_when_leased(lease, lambda: print("LEASED", flush=True))
    await asyncio.sleep(600)

asyncio.run(main())
"""


async def _start() -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _leased(process: asyncio.subprocess.Process, seconds: float) -> bool:
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=seconds)  # type: ignore[union-attr]
    except TimeoutError:
        return False
    return line.strip() == b"LEASED"


async def test_of_two_processes_only_one_runs_the_scheduler_and_the_other_takes_over_when_it_stops(app):
    processes = [await _start(), await _start()]
    try:
        # Whichever imports first takes the lease (the order they start in says nothing about which).
        reads = {asyncio.ensure_future(_leased(p, 120)): p for p in processes}  # a loaded machine is slow
        done, _ = await asyncio.wait(reads, return_when=asyncio.FIRST_COMPLETED)
        won = next(iter(done))
        assert won.result(), "one of the two processes takes the lease"
        holder = reads[won]
        waiting = next(p for p in processes if p is not holder)
        other = next(task for task in reads if task is not won)
        await asyncio.sleep(3)  # it keeps trying, five times a second, and never gets it
        assert not other.done()
        holder.kill()
        await holder.wait()
        assert await asyncio.wait_for(other, 30)  # the lock died with its holder
        assert waiting.returncode is None
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
