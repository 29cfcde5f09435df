"""APScheduler wiring: jobs are idempotent sweeps over the database, safe in any number of processes."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from mediation.notify.email import deliver_due
from mediation.web.sessions import delete_expired_sessions

log = logging.getLogger(__name__)


async def sweep_expired_sessions() -> None:
    # Deleting expired rows is idempotent: two processes running it at once delete each row once.
    removed = await delete_expired_sessions()
    if removed:
        log.info("removed %d expired sessions", removed)


async def deliver_notifications() -> None:
    # Each row is claimed before it is sent, so overlapping runs (other processes) never double-send.
    report = await deliver_due()
    if report.claimed:
        log.info("outbox: %s", report)


def start_scheduler() -> AsyncIOScheduler:
    """Must be called with a running event loop (inside the Litestar lifespan)."""
    scheduler = AsyncIOScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    scheduler.add_job(sweep_expired_sessions, "interval", minutes=30, id="sweep_expired_sessions")
    scheduler.add_job(deliver_notifications, "interval", seconds=30, id="deliver_notifications")
    scheduler.start()
    return scheduler
