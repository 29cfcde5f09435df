"""Cases in bulk by SQL (PostgreSQL only), for measuring and pinning the queue's query plans.

Not the national generator (`seed-national`, issue 17 part 1): just enough of the shape that decides a plan.
LAs of very different sizes (a few large, many small: the square of a uniform draw), most cases closed with
nothing due, the open ones due from two weeks ago to two months ahead, about half of those assigned to one
of three officers, a health-only share handled by an ICB, and names to search.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from mediation.cases.tables import Disagreement

FIRST_NAMES = [
    *("Sam", "Alex", "Jamie", "Robin", "Charlie", "Morgan", "Riley", "Casey", "Taylor", "Jordan", "Avery"),
    *("Quinn", "Rowan", "Ellis", "Harley"),
]
SURNAMES = [
    *("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan"),
    *("Wright", "Evans", "Thomas", "Roberts"),
]


@dataclass(frozen=True)
class Seeded:
    tag: str  # in every seeded organisation's code and account's email
    busiest_la: int
    smallest_la: int
    icb: int


async def _run(sql: str, *args: object) -> list[dict]:
    return await Disagreement.raw(sql, *args)


async def seed_cases(cases: int, las: int, *, open_share: float = 0.08) -> Seeded:
    """`cases` cases over `las` new LAs and one ICB, with three officers per LA and a family per case."""
    async with Disagreement._meta.db.transaction():
        seeded = await _seed(cases, las, open_share)
    await analyze("disagreement", "account")
    return seeded


async def analyze(*tables: str) -> None:
    """ANALYZE as the tables' owner: PostgreSQL skips, with only a warning, a table the role does not own,
    so in the two-role run (the app role owns nothing) the planner would keep its empty-table estimates."""
    import asyncpg

    from tests.conftest import MIGRATION_DATABASE_URL

    connection = await asyncpg.connect(MIGRATION_DATABASE_URL)
    try:
        for table in tables:
            await connection.execute(f"ANALYZE {table}")  # noqa: S608 - names from this module only
    finally:
        await connection.close()


async def _seed(cases: int, las: int, open_share: float) -> Seeded:
    tag = secrets.token_hex(3).upper()
    await _run(
        "INSERT INTO organisation (name, kind, code) SELECT 'Scale LA ' || i, 'local_authority', {} || i "
        "FROM generate_series(1, {}) AS i",
        f"S{tag}-",
        las,
    )
    icb = (
        await _run(
            "INSERT INTO organisation (name, kind, code) VALUES ('Scale ICB', 'icb', {}) RETURNING id",
            f"S{tag}-ICB",
        )
    )[0]["id"]
    await _run(
        "INSERT INTO account (email, full_name, role, organisation, email_confirmed) "
        "SELECT 'officer' || n || '.' || o.id || {} , 'Officer ' || n || ' of ' || o.name, 'la_coordinator', "
        "o.id, true FROM organisation o CROSS JOIN generate_series(1, 3) AS n WHERE o.code LIKE {}",
        f"@{tag.lower()}.example",
        f"S{tag}-%",
    )
    await _run(
        "INSERT INTO account (email, full_name, role, email_confirmed) "
        "SELECT 'family' || i || {}, ({}::text[])[1 + i % 15] || ' ' || ({}::text[])[1 + (i / 15) % 14] "
        "|| ' ' || i, 'family', true FROM generate_series(1, {}) AS i",
        f"@{tag.lower()}.families.example",
        FIRST_NAMES,
        SURNAMES,
        cases,
    )
    await _run(
        """
        WITH las AS (
            SELECT id, (row_number() OVER (ORDER BY id))::int - 1 AS n FROM organisation
            WHERE code LIKE {} AND kind = 'local_authority'
        ), families AS (
            SELECT id, (row_number() OVER (ORDER BY id))::int AS n FROM account WHERE email LIKE {}
        ), drawn AS (
            SELECT f.id AS family, f.n, floor({} * random() ^ 2)::int AS la_n, random() < {} AS open,
                   random() AS r FROM families f
        )
        INSERT INTO disagreement (reference, family, local_authority, icb, child_name, child_date_of_birth,
            decision, decision_notice_sent, sections, scope, arranged_by, state, next_due_date, assigned_to)
        SELECT 'SM-' || {} || upper(lpad(to_hex(d.n), 5, '0')), d.family, l.id,
               CASE WHEN d.r < 0.1 THEN {}::int END,
               ({}::text[])[1 + d.n % 15] || ' ' || ({}::text[])[1 + (d.n / 7) % 14],
               DATE '2012-01-01' + (d.n % 3000), 'plan_contents', CURRENT_DATE - 60 - (d.n % 3000),
               CASE WHEN d.r < 0.1 THEN 'G' ELSE 'B,F' END,
               CASE WHEN d.r < 0.1 THEN 'health' ELSE 'education' END,
               CASE WHEN d.r < 0.1 THEN 'health_commissioner' ELSE 'local_authority' END,
               CASE WHEN d.open THEN (ARRAY['lodged', 'mediation_requested', 'session_arranged',
                   'appealed'])[1 + d.n % 4] ELSE 'closed' END,
               CASE WHEN d.open THEN CURRENT_DATE - 14 + (d.n % 75) END,
               CASE WHEN d.open AND d.r < 0.1 THEN NULL WHEN d.open AND d.n % 2 = 0 THEN (
                   SELECT a.id FROM account a WHERE a.organisation = l.id ORDER BY a.id LIMIT 1) END
        FROM drawn d JOIN las l ON l.n = d.la_n
        """,
        f"S{tag}-%",
        f"%@{tag.lower()}.families.example",
        las,
        open_share,
        tag[:3],
        icb,
        FIRST_NAMES,
        SURNAMES,
    )
    sizes = await _run(
        "SELECT local_authority AS id, count(*) AS n FROM disagreement d JOIN organisation o "
        "ON o.id = d.local_authority WHERE o.code LIKE {} GROUP BY local_authority ORDER BY n DESC",
        f"S{tag}-%",
    )
    return Seeded(tag=tag, busiest_la=sizes[0]["id"], smallest_la=sizes[-1]["id"], icb=icb)


async def remove_seeded(seeded: Seeded) -> None:
    """Take the seeded rows out again, so the rest of a run's shared database keeps its own size."""
    codes = f"S{seeded.tag}-%"
    async with Disagreement._meta.db.transaction():
        await _run(
            "DELETE FROM disagreement WHERE local_authority IN "
            "(SELECT id FROM organisation WHERE code LIKE {})",
            codes,
        )
        await _run(
            "DELETE FROM account WHERE email LIKE {} OR email LIKE {}",
            f"%@{seeded.tag.lower()}.example",
            f"%@{seeded.tag.lower()}.families.example",
        )
        await _run("DELETE FROM organisation WHERE code LIKE {}", codes)
