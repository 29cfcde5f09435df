"""One scheduler per deployment: with several worker processes (WEB_CONCURRENCY) or several machines, only
the process holding the lease runs the scheduled jobs; the others try again each minute, so when the
holder stops another takes over.

PostgreSQL: a session advisory lock on a connection of its own, held while the process lives (the server
frees it when the connection drops, so a killed process never leaves it taken). SQLite: an exclusive
`flock` on a file beside the database, freed by the kernel when the process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mediation.settings import Settings

log = logging.getLogger(__name__)

SCHEDULER_LOCK_ID = 7_215_005  # beside db.MIGRATION_LOCK_ID
RETRY_SECONDS = 60.0


class SchedulerLease:
    def __init__(self, config: Settings) -> None:
        self.config = config
        self._held: Any = None  # the asyncpg connection or the open lock file

    @property
    def held(self) -> bool:
        return self._held is not None

    async def acquire(self) -> bool:
        if self._held is not None:
            return True
        database = self.config.database
        if database.engine == "postgres":
            from mediation.db import connect

            conn = await connect(database)
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", SCHEDULER_LOCK_ID):
                self._held = conn
            else:
                await conn.close()
        else:
            self._held = _lock_file(f"{database.path}.scheduler-lease")
        return self._held is not None

    async def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if self.config.database.engine == "postgres":
            with contextlib.suppress(Exception):  # a dropped connection has freed the lock already
                await held.close()
        else:
            held.close()


def _lock_file(path: str) -> Any:
    """The open file, locked, or None when another process holds it (a local file: no waiting)."""
    handle = open(path, "a")  # noqa: SIM115 - held open for as long as the lease
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


async def run_when_leased(lease: SchedulerLease, start: Callable[[], Awaitable[None] | None]) -> None:
    """Start the scheduler now if the lease is free, else keep trying each RETRY_SECONDS."""
    while True:
        try:
            if await lease.acquire():
                log.info("this process holds the scheduler lease: it runs the scheduled jobs")
                started = start()
                if started is not None:
                    await started
                return
        except OSError as exc:  # the database is unreachable for now: try again later
            log.warning("could not take the scheduler lease: %s", exc)
        await asyncio.sleep(RETRY_SECONDS)
