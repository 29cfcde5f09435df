"""SQLite with connections kept open: Piccolo's SQLite engine opens a new connection (and with aiosqlite
a new thread) for every query outside a transaction, which made `/health` 15% of the framework's ceiling
and a case page's twelve queries cost ~4 ms each.

`PooledSQLiteEngine` keeps a few connections per event loop and lends one to each such query. Each
query still commits on its own, as before; a query that fails is rolled back and its connection closed,
so no connection is ever lent holding a transaction or a lock. Transactions are unchanged (Piccolo gives
each its own connection).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, dict_factory

KEEP = 4  # idle connections kept per event loop: two cores, a few queries in flight


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[aiosqlite.Connection] = []
        self.opened = 0  # connections opened so far (tests read it)
        # Each idle connection is a (non-daemon) thread: stop them as the interpreter exits, or it would
        # wait for them forever. threading's own hook runs before it joins threads (atexit runs after).
        threading._register_atexit(self.forget)  # type: ignore[attr-defined]  # a private hook of threading, not in typeshed

    async def _lend(self) -> aiosqlite.Connection:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a test's, a command's): start afresh
            self.forget()
            self._loop = loop
        if self._idle:
            return self._idle.pop()
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]  # aiosqlite types row_factory as sqlite3's Row factory only
        await connection.execute("PRAGMA foreign_keys = 1")
        self.opened += 1
        return connection

    def _give_back(self, connection: aiosqlite.Connection) -> None:
        if len(self._idle) < KEEP:
            self._idle.append(connection)
        else:
            connection.stop()

    def forget(self) -> None:
        """Close every idle connection (stopping their threads), from any loop."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.stop()

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self._lend()
        try:
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                rows: Iterable[Any]
                if query_type == "insert" and self.get_version_sync() < 3.35:
                    rows = [
                        {
                            table._meta.primary_key._meta.db_column_name: await self._get_inserted_pk(
                                cursor, table
                            )
                        }
                    ]
                else:
                    rows = await cursor.fetchall()
        except (sqlite3.Error, ValueError, asyncio.CancelledError):
            # Whatever state it is in (a half-done write, a lock), this connection is not lent again.
            try:
                await asyncio.shield(connection.rollback())
            finally:
                connection.stop()
            raise
        self._give_back(connection)
        return rows
