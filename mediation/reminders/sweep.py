"""Run the reminder sweeps once: `python -m mediation.reminders.sweep [--now ISO] [--local-authority ID]`.

The scheduler runs the same sweep inside the app; this entry point is for cron, a one-off catch-up after
an outage, or proving that two processes sweeping at once queue every message exactly once.
Prints what this run queued as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import mediation  # noqa: F401 - sets PICCOLO_CONF before anything touches the database
from mediation.settings import settings

if TYPE_CHECKING:
    from mediation.reminders.service import SweepReport

NO_BASE_URL = (
    "BASE_URL is not set: the links in reminder emails would point at {guess}, which is not where the "
    "service is (outside the server this command has no HOST and PORT to go by). Set BASE_URL to the "
    "service's public address, e.g. BASE_URL=https://send-mediation.example.gov.uk, or pass --base-url."
)


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mediation.reminders.sweep", description=__doc__)
    parser.add_argument("--now", type=_moment, default=None, help="act as at this moment (ISO 8601)")
    parser.add_argument(
        "--local-authority", type=int, action="append", default=None, help="only this LA's cases (repeatable)"
    )
    parser.add_argument(
        "--base-url", default=None, help="the service's public address for links (default: BASE_URL)"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, int]:
    import mediation.capabilities  # noqa: F401 - the case aggregate's facts (its docstring)
    from mediation.db import connection_pool
    from mediation.reminders.service import run_sweeps

    async with connection_pool():
        report = await run_sweeps(args.now, local_authorities=args.local_authority, base_url=args.base_url)
    return dataclasses.asdict(report)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    args.base_url = args.base_url or (settings.base_url if settings.base_url_set else None)
    if not args.base_url:
        print(NO_BASE_URL.format(guess=settings.base_url), file=sys.stderr)
        return 2
    result = asyncio.run(run(args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


async def scheduled_sweep(*, local_authorities: Sequence[int] | None = None) -> SweepReport:
    """The APScheduler job (mediation/jobs.py): every 15 minutes, and once at start-up to catch up.

    Runs this module's command in a child process, so a sweep of national size (hundreds of thousands of
    clocks) never holds the web process's event loop, its GIL or its memory: `/health` and every page stay
    fast while it runs. Only the process holding the scheduler lease runs the job (scheduler_lease.py).
    """
    import logging

    from mediation import timekeeping
    from mediation.reminders.service import SweepReport

    args = ["--now", timekeeping.now().isoformat(), "--base-url", settings.base_url]
    for la in local_authorities or ():
        args += ["--local-authority", str(la)]
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mediation.reminders.sweep",
        *args,
        env={**os.environ, "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the reminder sweep failed ({child.returncode}): {err.decode()[-2000:]}")
    report = SweepReport(**json.loads(out.decode().strip().splitlines()[-1]))
    if report.reminders or report.escalations or report.digests or report.refused:
        logging.getLogger(__name__).info("reminders: %s", report)
    return report
