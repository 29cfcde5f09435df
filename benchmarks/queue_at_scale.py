"""How fast is a coordinator's queue when the database holds a national load of cases?

Seeds N cases spread over many local authorities (default 200,000 over 150 LAs) into the database named by
DATABASE_URL (use a scratch PostgreSQL database: it is migrated, and the seeded rows stay), then times the
queue query (`cases.service.list_cases`) for one LA, unfiltered and with each filter, and prints the plan
PostgreSQL chose. Prints figures; asserts nothing.

    createdb -h 127.0.0.1 -U postgres bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench SECRET_KEY=x
    .venv/bin/python benchmarks/queue_at_scale.py 200000
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import time

os.environ.setdefault("PICCOLO_CONF", "mediation.piccolo_conf")
os.environ.setdefault("DEMO_DATA", "0")

from mediation import db  # noqa: E402
from mediation.accounts.tables import Account  # noqa: E402
from mediation.cases.service import list_cases  # noqa: E402
from mediation.cases.tables import Disagreement  # noqa: E402
from mediation.identity import CurrentUser  # noqa: E402
from mediation.organisations.tables import Organisation  # noqa: E402

LAS = 150
BATCH = 1000  # asyncpg allows at most 32,767 parameters per statement


async def seed(n: int) -> list[int]:
    existing = await Organisation.select(Organisation.id).where(Organisation.code.like("BENCH-LA-%"))
    if existing:
        return [r["id"] for r in existing]
    now = dt.datetime.now(dt.UTC)
    las = []
    for i in range(LAS):
        org = Organisation(name=f"Bench LA {i}", kind="local_authority", code=f"BENCH-LA-{i}", created_at=now)
        await org.save()
        las.append(org.id)
    family = Account(
        email="bench-family@example.com",
        password_hash="not-a-hash",  # noqa: S106 - a row nobody signs in with
        full_name="Bench",
        role="family",
        created_at=now,
    )
    await family.save()
    rng = random.Random(7)
    today = dt.date.today()
    states = ["lodged", "mediation_requested", "session_arranged", "appealed", "closed"]
    for start in range(0, n, BATCH):
        rows = [
            Disagreement(
                reference=f"BN-{start + i:08d}",
                family=family.id,
                local_authority=rng.choice(las),
                child_name="Bench child",
                child_date_of_birth=dt.date(2015, 1, 1),
                decision="plan_contents",
                decision_notice_sent=today - dt.timedelta(days=rng.randint(0, 400)),
                sections="B,F",
                scope=rng.choice(["education", "education,health", "health"]),
                arranged_by="local_authority",
                state=rng.choice(states),
                next_due_date=today + dt.timedelta(days=rng.randint(-30, 120)),
                created_at=now,
                updated_at=now,
            )
            for i in range(min(BATCH, n - start))
        ]
        await Disagreement.insert(*rows)
        print(f"seeded {start + len(rows)} / {n}", file=sys.stderr)
    return las


async def timed(label: str, user: CurrentUser, **filters: str) -> None:
    samples = []
    for _ in range(20):
        t0 = time.perf_counter()
        rows = await list_cases(user, **filters)
        samples.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label:<32} rows={len(rows):>3}  median={statistics.median(samples):7.2f} ms  "
        f"p95={sorted(samples)[18]:7.2f} ms"
    )


async def main(n: int) -> None:
    engine = db.engine()
    if engine.engine_type == "postgres":
        await engine.start_connection_pool()
    async with db.startup_lock():
        await db.migrate()
    las = await seed(n)
    total = await Disagreement.count()
    user = CurrentUser(
        id=0,
        email="bench@example.com",
        full_name="Bench",
        role="la_coordinator",
        organisation_id=las[0],
        organisation_name="Bench LA 0",
    )
    print(f"cases in database: {total}; LAs: {len(las)}; engine: {engine.engine_type}")
    await timed("queue, first page", user)
    await timed("queue, state=lodged", user, state="lodged")
    await timed("queue, risk=overdue", user, risk="overdue")
    await timed("queue, scope=health", user, scope="health")
    if engine.engine_type == "postgres":
        plan = await Disagreement.raw(
            "EXPLAIN SELECT id FROM disagreement WHERE local_authority = {} "
            "ORDER BY next_due_date, id LIMIT 50",
            las[0],
        )
        print("plan:", " | ".join(r["QUERY PLAN"] for r in plan))
        await engine.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
