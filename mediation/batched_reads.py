"""Several independent SELECTs in one round trip to PostgreSQL.

A case is loaded as its row and then its parts (clocks, the adviser stage's record, meetings, appeal), and
the staff case page reads its timeline, disputed matters, documents and notes: each its own query. On the
hosts we measure, a query's round trip costs this process more CPU than anything else the case page does
(the system calls to send and wait, asyncpg's handling, the event loop), and PostgreSQL another start-up
per statement (issue 17). `read_together` sends such queries as one statement: each query, exactly the SQL
Piccolo builds for it, becomes a subquery whose rows come back as one JSON array,

    SELECT (SELECT coalesce(json_agg(q), '[]') FROM (<first query>) AS q) AS r0, (...) AS r1, ...

with every value still a bound parameter. Each query stays planned on its own, by its own indexes: no join
between them, so none of the planning cost that undid merging the queue's two queries (docs/benchmarks.md,
sixth pass). The rows are turned back into the Python values asyncpg gives for each column type and handed
to Piccolo's own result processing, so each result is what awaiting its query alone gives
(`tests/test_batched_reads.py` compares the two for every column type the tables use). On SQLite, or for a
single query, the queries simply run one after another.

Only plain column reads are supported: a column type whose JSON text loses something (numeric, bytea,
interval), a computed expression, or a query with callbacks is refused with TypeError when first built."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from piccolo.columns import (
    JSON,
    JSONB,
    UUID,
    BigInt,
    Boolean,
    Column,
    Date,
    DoublePrecision,
    Email,
    Float,
    ForeignKey,
    Integer,
    Real,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamp,
    Timestamptz,
    Varchar,
)
from piccolo.query.methods.select import First, Select
from piccolo.querystring import QueryString

from mediation.db import is_postgres

Convert = Callable[[Any], Any]


def _utc(value: str) -> dt.datetime:
    # PostgreSQL writes a timestamptz in the session's time zone; asyncpg always gives it in UTC.
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def _json_text(value: Any) -> str:
    # Piccolo is handed JSON columns as text, as asyncpg gives them, and loads them itself if asked: the
    # same value, spaced as PostgreSQL writes jsonb (its text for a `json` column may have been spaced
    # otherwise; nothing here reads JSON as text).
    return json.dumps(value, ensure_ascii=False)


_AS_IS = (Integer, BigInt, SmallInt, Serial, ForeignKey, Boolean, Varchar, Text, Email)
_CONVERT: tuple[tuple[type[Column] | tuple[type[Column], ...], Convert], ...] = (
    (Timestamptz, _utc),
    (Timestamp, dt.datetime.fromisoformat),
    (Date, dt.date.fromisoformat),
    (Time, dt.time.fromisoformat),
    (UUID, uuid.UUID),
    ((DoublePrecision, Real, Float), float),
    ((JSON, JSONB), _json_text),
)


def _converter(column: Any) -> Convert | None:
    """How one selected column's JSON value becomes asyncpg's value (None: it already is)."""
    if isinstance(column, ForeignKey):
        # A key's value is the referenced primary key's: an integer here (every table's id is a Serial).
        target = column._foreign_key_meta.resolved_target_column
        return _converter(target) if not isinstance(target, _AS_IS) else None
    for kinds, convert in _CONVERT:
        if isinstance(column, kinds):
            return convert
    if isinstance(column, _AS_IS):
        return None
    raise TypeError(
        f"read_together cannot read {type(column).__name__} column {column._meta.name!r} back from JSON"
    )


class _Shape(msgspec.Struct, frozen=True):
    """One query's result columns: the name and converter of each that needs one. It holds the columns
    it was made from, so while it is kept no other object can take one of their ids (its key)."""

    columns: tuple[Any, ...]
    converted: tuple[tuple[str, Convert], ...]


def _output_name(column: Any) -> str:
    if not isinstance(column, Column):
        raise TypeError(f"read_together reads table columns only, not {column!r}")
    if column._alias is not None:
        return str(column._alias)
    if column._meta.call_chain:
        return str(column._meta.get_default_alias())
    return str(column._meta.name)


_SHAPES: dict[tuple[int, ...], _Shape] = {}
SHAPES_KEPT = 1024  # distinct SELECT lists in the code: far fewer


def _shape(select: Select) -> _Shape:
    columns = select.columns_delegate.selected_columns or select.table._meta.columns
    key = tuple(id(c) for c in columns)
    shape = _SHAPES.get(key)
    if shape is None:
        converted = []
        for column in columns:
            name = _output_name(column)
            convert = _converter(column)
            if convert is not None:
                converted.append((name, convert))
        if len(_SHAPES) >= SHAPES_KEPT:
            _SHAPES.clear()
        shape = _SHAPES[key] = _Shape(tuple(columns), tuple(converted))
    return shape


def _select_of(query: Select | First) -> Select:
    select = query.query if isinstance(query, First) else query
    if not isinstance(select, Select):
        raise TypeError(f"read_together reads SELECT queries, not {type(query).__name__}")
    if any(select.callback_delegate._callbacks.values()):
        raise TypeError("read_together does not run a query's callbacks")
    return select


_DECODER = msgspec.json.Decoder()


async def read_together(queries: Sequence[Select | First]) -> list[Any]:
    """What awaiting each query gives, in order: a list of rows for a SELECT, a row or None for `.first()`.
    One statement on PostgreSQL; one after another elsewhere."""
    if len(queries) < 2 or not is_postgres():
        return [await query for query in queries]
    selects = [_select_of(q) for q in queries]
    shapes = [_shape(s) for s in selects]
    parts = [s.querystrings[0] for s in selects]
    # Only the code's own text and numbers are joined here; every value is a bound parameter of a part.
    each = "(SELECT coalesce(json_agg(q), '[]') FROM ({}) AS q)"
    combined = QueryString("SELECT " + ", ".join([each] * len(parts)), *parts)
    engine = selects[0].table._meta.db
    record = (await engine.run_querystring(combined))[0]
    results = []
    for query, select, shape, text in zip(queries, selects, shapes, record.values(), strict=True):
        rows = _DECODER.decode(text)
        for row in rows:
            for name, convert in shape.converted:
                value = row[name]
                if value is not None:
                    row[name] = convert(value)
        processed = await select._process_results(rows)
        results.append((processed[0] if processed else None) if isinstance(query, First) else processed)
    return results
