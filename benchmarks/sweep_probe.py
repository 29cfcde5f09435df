"""One reminder sweep in a process of its own, for benchmarks/national.py: prints one JSON line with its
wall time, its CPU time, the process's peak RSS, what it queued and how many clocks are stored and due.

    python -m benchmarks.sweep_probe sweep          # run_sweeps() as the CLI does (pooled)
    python -m benchmarks.sweep_probe add-due N      # N new cases in the smallest LA, each owed a reminder
    python -m benchmarks.sweep_probe facts          # who and what the HTTP runs use
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import resource
import sys
import time

import mediation  # noqa: F401 - sets PICCOLO_CONF


async def _counts() -> dict[str, int]:
    from mediation.clocks.tables import StatutoryClock

    running = await StatutoryClock.count().where(StatutoryClock.status == "running")
    return {"stored_clocks": await StatutoryClock.count(), "running_clocks": running}


async def sweep() -> dict[str, object]:
    from mediation.db import connection_pool
    from mediation.reminders.service import run_sweeps

    async with connection_pool():
        started, cpu = time.perf_counter(), time.process_time()
        report = await run_sweeps(base_url="http://bench.example")
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        return {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            **dataclasses.asdict(report),
            **await _counts(),
        }


def _due_with_a_reminder_today(today: dt.date) -> dt.date:
    """The first due date from today on for which a reminder is due today (national calendar)."""
    from mediation.reminders.schedule import reminder_due
    from mediation.rules.calendar import WorkingCalendar

    calendar = WorkingCalendar()
    for ahead in range(0, 15):
        due = today + dt.timedelta(days=ahead)
        if reminder_due(due=due, started_on=today - dt.timedelta(days=30), today=today, calendar=calendar):
            return due
    raise RuntimeError(f"no due date near {today} has a reminder today")


async def add_due(n: int) -> dict[str, object]:
    """n cases in the LA with fewest cases, each with a running LA clock whose reminder is due today, so
    datasets of different sizes get the same number due."""
    from mediation import timekeeping
    from mediation.cases.tables import Disagreement
    from mediation.clocks.tables import StatutoryClock
    from mediation.db import connection_pool
    from mediation.organisations.tables import Organisation
    from mediation.reminders.service import sweep_day

    async with connection_pool():
        counts = await Disagreement.raw(
            "SELECT o.id, COUNT(d.id) AS n FROM organisation o LEFT JOIN disagreement d"
            " ON d.local_authority = o.id WHERE o.kind = 'local_authority' AND o.code LIKE 'E%'"
            " GROUP BY o.id ORDER BY n, o.id LIMIT 1"
        )
        la = counts[0]["id"]
        family = (await Disagreement.select(Disagreement.family).where(Disagreement.local_authority == la)
                  .first()) or (await Disagreement.select(Disagreement.family).first())  # fmt: skip
        now = timekeeping.now()
        today = sweep_day(now)
        due = _due_with_a_reminder_today(today)
        for i in range(n):
            case = Disagreement(
                reference=f"SB-{time.time_ns() % 10**12:012d}{i:04d}"[:20],
                family=family["family"],
                local_authority=la,
                child_name="Sweep Benchmark",
                child_date_of_birth=dt.date(2015, 1, 1),
                decision="plan_contents",
                decision_notice_sent=today - dt.timedelta(days=30),
                sections="F",
                scope="education",
                arranged_by="local_authority",
                state="mediation_requested",
                next_due_date=due,
                created_at=now,
                updated_at=now,
            )
            await case.save()
            await StatutoryClock.insert(
                StatutoryClock(
                    disagreement=case.id,
                    rule="mediation_held_by_la",
                    actor="local_authority",
                    started_on=today - dt.timedelta(days=28),
                    due=due,
                    status="running",
                    citation="SEND Regulations 2014 regs 36-37",
                    rule_status="S",
                    started_by="the family asked for mediation",
                    created_at=now,
                    updated_at=now,
                )
            )
        name = await Organisation.select(Organisation.name).where(Organisation.id == la).first()
        return {"added": n, "local_authority": name["name"] if name else la, "due": due, **await _counts()}


async def facts() -> dict[str, object]:
    """The busiest and smallest LA (by cases) with a coordinator each, an open case of the busiest, and a
    case waiting for a meeting with a mediator of its service (for the slot finder)."""
    from mediation.cases.tables import Disagreement as D
    from mediation.db import connection_pool

    async with connection_pool():
        las = await D.raw(
            "SELECT o.id, o.name, o.code, COUNT(d.id) AS n FROM organisation o JOIN disagreement d"
            " ON d.local_authority = o.id WHERE o.kind = 'local_authority' GROUP BY o.id, o.name, o.code"
            " ORDER BY n DESC, o.id"
        )
        busiest, smallest = las[0], las[-1]

        async def coordinator(la: dict[str, object]) -> str:
            rows = await D.raw(
                "SELECT email FROM account WHERE organisation = {} AND role = 'la_coordinator' ORDER BY id",
                la["id"],
            )
            return str(rows[0]["email"])

        async def officer(la: dict[str, object]) -> int:
            rows = await D.raw(
                "SELECT id FROM account WHERE organisation = {} AND role = 'la_coordinator' ORDER BY id",
                la["id"],
            )
            return int(rows[0]["id"])

        async def icb_officer(icb: int) -> int | None:
            rows = await D.raw(
                "SELECT id FROM account WHERE organisation = {} AND role = 'health_commissioner' ORDER BY id",
                icb,
            )
            return int(rows[0]["id"]) if rows else None

        case = await D.raw(
            "SELECT reference FROM disagreement WHERE local_authority = {}"
            " AND state NOT IN ('closed', 'withdrawn') ORDER BY id LIMIT 1",
            busiest["id"],
        )
        slot = await D.raw(
            "SELECT d.reference, d.local_authority AS id, d.icb, m.id AS mediator FROM disagreement d"
            " JOIN mediator_profile m"
            " ON m.service = d.mediation_service WHERE d.state = 'mediation_requested'"
            " ORDER BY d.local_authority = {} DESC, d.id LIMIT 1",
            busiest["id"],
        )
        return {
            "busiest": busiest["name"],
            "busiest_cases": busiest["n"],
            "busiest_email": await coordinator(busiest),
            "la_code": busiest["code"],
            "smallest": smallest["name"],
            "smallest_cases": smallest["n"],
            "smallest_email": await coordinator(smallest),
            "case": case[0]["reference"],
            "slot_case": slot[0]["reference"] if slot else None,
            "slot_mediator": slot[0]["mediator"] if slot else None,
            "slot_email": await coordinator(slot[0]) if slot else None,
            "slot_officer": await officer(slot[0]) if slot else None,
            # A case with an ICB needs its officer too when health is in dispute (and may have one anyway).
            "slot_icb_officer": await icb_officer(slot[0]["icb"]) if slot and slot[0]["icb"] else None,
        }


def main() -> None:
    command = sys.argv[1]
    if command == "facts":
        result = asyncio.run(facts())
    else:
        result = asyncio.run(sweep() if command == "sweep" else add_due(int(sys.argv[2])))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
