"""Queries on every request's path, their SQL written by Piccolo once and then run raw.

Building a Piccolo `Select` costs CPU each time it is run: its columns, joins and each value converted,
0.4 ms for the queue's keyset query and 1.6 ms for a page's 50 case summaries by id (a busy machine,
`docs/benchmarks.md`), more than the database takes to answer them. A `Prepared` query is the same
Piccolo query, written with `@name` markers where its values go; the SQL Piccolo writes for it is kept per
engine, and each call runs that SQL with the values (`Table.raw`), so the statement is still Piccolo's
(same columns, joins, aliases and the engine's own quoting) and costs a few microseconds to send.

A list of ids is one value: an array on PostgreSQL (`= ANY(...)`), JSON on SQLite (`json_each`), so the
SQL is the same for any number of them (`ids_in`). `tests/operations/test_prepared_queries.py` holds each
prepared query to the rows its plain Piccolo form returns, on both engines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query import Select
from piccolo.table import Table

from mediation import db

_MARKER = re.compile(r"@([a-z_]+)\b")


def ids_in(column: str, name: str, engine_type: str) -> WhereRaw:
    """`column` is one of the ids in the value `name` (a list, see `Prepared.run`). Both names are the
    code's own (a quoted column, a marker), never a request's."""
    if engine_type == "postgres":
        return WhereRaw(f"{column} = ANY(@{name})")
    return WhereRaw(f"{column} IN (SELECT value FROM json_each(@{name}))")  # noqa: S608 - see above


class Prepared:
    """`build(engine_type)` returns the Piccolo query, with `@name` markers (in `WhereRaw`) for values."""

    def __init__(
        self, table: type[Table], build: Callable[[str], Select], *, lists: Sequence[str] = ()
    ) -> None:
        self._table = table
        self._build = build
        self._lists = frozenset(lists)
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}

    def sql(self, engine_type: str) -> tuple[str, tuple[str, ...]]:
        """The SQL with `{}` where each value goes, and the values' names in that order."""
        if engine_type not in self._compiled:
            query = self._build(engine_type)
            text, args = query.querystrings[0].compile_string(engine_type=engine_type)
            if args or "{" in text or "}" in text:
                raise ValueError(f"a prepared query takes its values as @markers only: {text}")
            names = tuple(_MARKER.findall(text))
            self._compiled[engine_type] = (_MARKER.sub("{}", text), names)
        return self._compiled[engine_type]

    async def run(self, **values: Any) -> list[dict[str, Any]]:
        engine = db.engine()
        text, names = self.sql(engine.engine_type)
        args = [self._value(name, values[name], engine.engine_type) for name in names]
        return await self._table.raw(text, *args)

    async def first(self, **values: Any) -> dict[str, Any] | None:
        rows = await self.run(**values)
        return rows[0] if rows else None

    def _value(self, name: str, value: Any, engine_type: str) -> Any:
        if name in self._lists:
            ids = [int(v) for v in value]
            return ids if engine_type == "postgres" else json.dumps(ids)
        return value
