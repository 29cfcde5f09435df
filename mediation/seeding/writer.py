"""Bulk rows into the database DATABASE_URL names: COPY on PostgreSQL, batched multi-row inserts on SQLite.

Ids are handed out here (from each table's current maximum), so rows can point at each other before they
are written; the sequences are moved past them at the end. Nothing goes through the ORM: at a million
cases a row object per row would cost more than the database does.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Sequence
from typing import Any

from mediation.settings import DatabaseConfig

BATCH = 50_000  # rows held before they are written
SQLITE_BATCH = 500  # rows per INSERT: 500 x ~30 columns stays under SQLite's 32,766 variables


class Progress:
    """One line on stderr, redrawn at most every half second: a bar, the count, the rate."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.drawn = time.monotonic()

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.drawn >= 0.5 or self.done >= self.total:
            self.drawn = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            rate = self.done / max(now - self.started, 1e-6)
            sys.stderr.write(f"\r{self.label:<10} [{bar:<30}] {self.done:>9,}/{self.total:,} {rate:>8,.0f}/s")
            if self.done >= self.total:
                sys.stderr.write(f"  {now - self.started:.0f} s\n")
            sys.stderr.flush()


class Writer:
    """Rows per table, flushed in batches; `next_id(table)` numbers rows before they exist."""

    def __init__(self, db: DatabaseConfig) -> None:
        self.db = db
        self.pending: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self.ids: dict[str, int] = {}
        self.conn: Any = None
        self.counts: dict[str, int] = {}
        self.held = 0
        self.existing: dict[str, int] = {}  # organisation codes already in the database
        self.transaction: Any = None

    async def __aenter__(self) -> Writer:
        if self.db.engine == "postgres":
            from mediation.db import connect

            self.conn = await connect(self.db)
            self.transaction = self.conn.transaction()  # all or nothing, as on SQLite
            await self.transaction.start()
        else:
            self.conn = sqlite3.connect(self.db.path, timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("BEGIN IMMEDIATE")
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                await self.flush()
                await self._reset_sequences()
                await self._end("COMMIT")
                await self._analyze()
            else:
                await self._end("ROLLBACK")
        finally:
            await self.conn.close() if self.db.engine == "postgres" else self.conn.close()

    async def _analyze(self) -> None:
        """Planner statistics for every table the load filled. Without them PostgreSQL plans the queue
        from an empty table's guesses until autovacuum gets round to it (never, where it is off): at 1M
        cases it estimated 291 of Kent's 27,933 cases and read all of them for one filtered page. On
        PostgreSQL a role that does not own the tables is skipped with a warning, not refused."""
        for table in self.counts:
            sql = f"ANALYZE {table}"  # our own table names
            if self.db.engine == "postgres":
                await self.conn.execute(sql)
            else:
                self.conn.execute(sql)

    async def _end(self, how: str) -> None:
        if self.db.engine != "postgres":
            self.conn.execute(how)
        elif how == "COMMIT":
            await self.transaction.commit()
        else:
            await self.transaction.rollback()

    async def _max_id(self, table: str) -> int:
        sql = f"SELECT COALESCE(MAX(id), 0) FROM {table}"  # noqa: S608 - our own table names
        if self.db.engine == "postgres":
            return int(await self.conn.fetchval(sql))
        return int(self.conn.execute(sql).fetchone()[0])

    async def next_id(self, table: str) -> int:
        if table not in self.ids:
            self.ids[table] = await self._max_id(table)
        self.ids[table] += 1
        return self.ids[table]

    async def add(self, table: str, columns: Sequence[str], row: tuple[Any, ...]) -> None:
        self.pending.setdefault((table, tuple(columns)), [])
        self.pending[(table, tuple(columns))].append(row)
        self.held += 1
        if self.held >= BATCH:
            await self.flush()

    async def flush(self) -> None:
        """Every table's rows, in the order tables were first added: parents before the rows that point
        at them (the foreign keys hold at every statement)."""
        self.held = 0
        for (table, cols), rows in self.pending.items():
            if rows:
                await self._write(table, cols, rows)
                rows.clear()

    async def _write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        self.counts[table] = self.counts.get(table, 0) + len(rows)
        if self.db.engine == "postgres":
            await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))
            return
        names = ", ".join(f'"{c}"' for c in columns)
        one = "(" + ", ".join("?" * len(columns)) + ")"
        per = max(1, SQLITE_BATCH * 30 // max(len(columns), 1))
        per = min(per, 32_000 // len(columns))
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = ", ".join([one] * len(chunk))
            flat = [value for row in chunk for value in row]
            self.conn.execute(f'INSERT INTO "{table}" ({names}) VALUES {values}', flat)  # noqa: S608

    async def _reset_sequences(self) -> None:
        if self.db.engine != "postgres":
            return  # SQLite's INTEGER PRIMARY KEY continues from the largest id by itself
        for table, last in self.ids.items():
            await self.conn.execute(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST($2::bigint, 1))", table, last
            )

    async def execute(self, sql: str, *args: Any) -> None:
        if self.db.engine == "postgres":
            await self.conn.execute(sql, *args)
        else:
            self.conn.execute(sql, args)
