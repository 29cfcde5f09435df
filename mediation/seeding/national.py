"""`python main.py seed-national --cases 1000000`: a national dataset in the database DATABASE_URL names.

153 LAs and the ICBs with their real codes and links (data/), 40 mediation services with mediators and
venues, staff per body, about 0.65 children per case (a child may have several disagreements over the
years), and cases over ten years up to today, each with its clocks, mediation record and meeting,
certificate, appeal, order and case log as `stories.py` tells them. Rows go in by COPY (PostgreSQL) or
batched inserts (SQLite), numbered here; `next_due_date` is set from the running body clocks as the clock
service would. Deterministic for a given --seed.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import json
import random
import sys
from collections import Counter

from mediation import timekeeping
from mediation.accounts.passwords import hash_password
from mediation.seeding.bodies import NAMES, SURNAMES, write_bodies
from mediation.seeding.cases import CaseRows
from mediation.seeding.stories import Teller
from mediation.seeding.writer import Progress, Writer
from mediation.settings import Settings

PASSWORD = "National-seed-2026"  # noqa: S105 - every seeded account's, printed at the end: test data only
YEARS = 10
CHILDREN_PER_CASE = 0.65
# How many disagreements a child has over the ten years: 1.54 on average.
CASES_PER_CHILD = ((1, 65), (2, 20), (3, 10), (4, 5))


@dataclasses.dataclass
class Seeded:
    cases: int
    children: int
    states: Counter[str]
    table_rows: dict[str, int]
    busiest_la: str
    busiest_la_cases: int
    coordinator_email: str
    smallest_la: str


class AlreadySeeded(RuntimeError):
    pass


async def seed_national(cases: int, *, seed: int = 2026, config: Settings | None = None) -> Seeded:
    from mediation.settings import settings

    config = config or settings
    rng = random.Random(seed)
    today = timekeeping.today()
    now = timekeeping.now()
    first_day = today - dt.timedelta(days=365 * YEARS)
    password_hash = hash_password(PASSWORD)
    async with Writer(config.database) as w:
        await _refuse_second_run(w)
        bodies = await write_bodies(w, rng, password_hash, now)
        await w.flush()
        teller = Teller(rng, today)
        rows = CaseRows(w, bodies, rng, now)
        cumulative = list(itertools.accumulate(bodies.la_weights))
        sizes, size_weights = zip(*CASES_PER_CHILD, strict=True)
        progress = Progress("cases", cases)
        made = children = 0
        per_la: Counter[int] = Counter()
        states: Counter[str] = Counter()
        while made < cases:
            children += 1
            la = bodies.la_ids[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            family = await rows.family(children, password_hash)
            child = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
            born = first_day - dt.timedelta(days=rng.randint(0, 365 * 16))
            count = min(rng.choices(sizes, size_weights)[0], cases - made)
            for _ in range(count):
                # More disagreements each year (appeals have grown year on year): density rises with time.
                notice = first_day + dt.timedelta(days=int((365 * YEARS - 1) * rng.random() ** 0.7))
                story = teller.story(notice)
                await rows.case(story, la=la, family=family, child=child, born=born)
                states[story.state] += 1
                per_la[la] += 1
            made += count
            progress.advance(count)
        table_rows = dict(w.counts)
    busiest = max(per_la, key=per_la.__getitem__)
    smallest = min(bodies.la_ids, key=lambda la: per_la.get(la, 0))
    return Seeded(
        cases=made,
        children=children,
        states=states,
        table_rows={**table_rows, **w.counts},
        busiest_la=bodies.la_names[bodies.la_ids.index(busiest)],
        busiest_la_cases=per_la[busiest],
        coordinator_email=bodies.coordinator_emails[busiest],
        smallest_la=bodies.la_names[bodies.la_ids.index(smallest)],
    )


async def _refuse_second_run(w: Writer) -> None:
    sql = "SELECT COUNT(*) FROM account WHERE email LIKE 'coordinator1@%.example' AND role = 'la_coordinator'"
    found = await w.conn.fetchval(sql) if w.db.engine == "postgres" else w.conn.execute(sql).fetchone()[0]
    if found:
        raise AlreadySeeded("this database already holds a national dataset: seed an empty one")


def report(seeded: Seeded, base_url: str) -> str:
    states = ", ".join(f"{state} {n:,}" for state, n in seeded.states.most_common())
    rows = ", ".join(f"{table} {n:,}" for table, n in sorted(seeded.table_rows.items()))
    return (
        f"Seeded {seeded.cases:,} cases for {seeded.children:,} children.\n"
        f"States: {states}\nRows: {rows}\n"
        f"Busiest LA: {seeded.busiest_la} ({seeded.busiest_la_cases:,} cases); "
        f"smallest: {seeded.smallest_la}.\n"
        f"Sign in at {base_url}/sign-in as its coordinator {seeded.coordinator_email} "
        f"with the password {PASSWORD} (every seeded account has it).\n"
    )


def as_json(seeded: Seeded) -> str:
    return json.dumps(dataclasses.asdict(seeded), default=str)


def main_report(seeded: Seeded, base_url: str) -> None:
    sys.stdout.write(report(seeded, base_url))
