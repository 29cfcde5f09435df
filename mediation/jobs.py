"""APScheduler wiring: jobs are idempotent sweeps over the database, safe in any number of processes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from mediation.accounts import link_requests
from mediation.accounts.throttle import forget_old_counters
from mediation.notices.batches import process_batches
from mediation.notify.email import deliver_due
from mediation.reminders.sweep import scheduled_sweep
from mediation.settings import Settings, settings
from mediation.web.sessions import delete_expired_sessions

log = logging.getLogger(__name__)


async def sweep_expired_sessions() -> None:
    # Deleting expired rows is idempotent: two processes running it at once delete each row once.
    removed = await delete_expired_sessions()
    if removed:
        log.info("removed %d expired sessions", removed)
    forgotten = await forget_old_counters()
    if forgotten:
        log.info("removed %d finished sign-in throttle counters", forgotten)
    old_requests = await link_requests.forget_old()
    if old_requests:
        log.info("removed %d counted link requests older than their window", old_requests)


async def deliver_notifications() -> None:
    # Each row is claimed before it is sent, so overlapping runs (other processes) never double-send.
    report = await deliver_due()
    if report.claimed:
        log.info("outbox: %s", report)


async def issue_notice_batches() -> None:
    # Rows are claimed under a lease and issued with a per-row dedupe key: no notice is ever sent twice.
    report = await process_batches()
    if report.claimed:
        log.info("notice batches: %s", report)


async def pass_cases_to_successors() -> None:
    # Each case is passed on through its own locked event; a second run finds nothing left to do.
    from mediation.cases.succession import apply_successions

    await apply_successions()


def start_scheduler(config: Settings = settings) -> AsyncIOScheduler:
    """Must be called with a running event loop (inside the Litestar lifespan)."""
    scheduler = AsyncIOScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    scheduler.add_job(sweep_expired_sessions, "interval", minutes=30, id="sweep_expired_sessions")
    scheduler.add_job(
        deliver_notifications,
        "interval",
        seconds=config.outbox_interval_seconds,  # 30 s; 5 s with the mailbox, so a newcomer waits less
        id="deliver_notifications",
    )
    scheduler.add_job(issue_notice_batches, "interval", seconds=20, id="issue_notice_batches")
    # Reminders, escalations, digests: at once on start-up (catching up after downtime), then every 15 min.
    scheduler.add_job(
        scheduled_sweep, "interval", minutes=15, id="sweep_reminders", next_run_time=datetime.now(UTC)
    )
    # Organisations that ended with a successor (mergers): hourly, and at start-up to catch up.
    scheduler.add_job(
        pass_cases_to_successors,
        "interval",
        hours=1,
        id="pass_cases_to_successors",
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
