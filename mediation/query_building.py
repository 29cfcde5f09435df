"""Building the SQL of a frequent SELECT once: Piccolo builds a query's whole SQL afresh on every run, and
for the queries every case page makes (the case row through four tables, its clocks, its timeline) that
took more CPU than running them (issue 17). `built_once` keeps the part before WHERE (the SELECT list,
FROM and joins) per shape and builds only the WHERE clause, ORDER BY and LIMIT of each run, each comparison
on a table's own column from a template kept from its first use (`where_sql`); the values stay bound
parameters. `tests/test_query_building.py` checks every use gives Piccolo's own SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from piccolo.columns.combination import And, Or, Undefined, Where, WhereRaw
from piccolo.query.methods.select import First, Select
from piccolo.querystring import QueryString

Q = TypeVar("Q", Select, First)

_BEFORE_WHERE: dict[tuple[str, str], str] = {}  # (shape, engine type) -> SELECT ... FROM ... JOINs
# (id of a table's own column, operator, engine type) -> (the column, its comparison's SQL template)
_COMPARISONS: dict[tuple[int, type, str], tuple[Any, str]] = {}
COMPARISONS_KEPT = 4096  # the table's own columns times the operators used on them: far fewer


def built_once(shape: str, query: Q) -> Q:
    """`query` (a SELECT with a WHERE on its own table's columns, then at most ORDER BY and LIMIT) with
    the SQL before its WHERE built once per process under `shape`, a name for its SELECT list that no
    other query shares."""
    select: Select = query.query if isinstance(query, First) else query
    if not select.columns_delegate.selected_columns:
        # As Piccolo does when it builds the SQL: the rows are read by these (JSON loaded, for one).
        select.columns_delegate.selected_columns = select.table._meta.columns
    engine = select.table._meta.db.engine_type
    key = (shape, engine)
    before = _BEFORE_WHERE.get(key)
    if before is None:
        bare = select.table.select(*select.columns_delegate.selected_columns)
        before = _BEFORE_WHERE[key] = bare.querystrings[0].compile_string(engine_type=engine)[0]
    where = select.where_delegate._where
    assert where is not None, "built_once is for queries with a WHERE clause"
    template, parts = before + " WHERE {}", [where_sql(where)]
    order_by = select.order_by_delegate._order_by
    if order_by.order_by_items:
        template += "{}"
        parts.append(order_by.querystring)
    limit = select.limit_delegate._limit
    if limit:
        template += "{}"
        parts.append(limit.querystring)
    select._frozen_querystrings = [QueryString(template, *parts)]
    return query


def where_sql(node: Any) -> QueryString:
    """`node.querystring`, Piccolo's own SQL for a WHERE clause, with the template of each comparison on
    a table's own column kept from its first use. Piccolo works that template out afresh each time, and
    for a foreign key column every attribute it reads calls `dir()` on a column holding the referenced
    table's columns: on the case page that was a tenth of the request's CPU (issue 17)."""
    kind = type(node)
    if kind is And or kind is Or:
        return QueryString("({} " + node.operator + " {})", where_sql(node.first), where_sql(node.second))
    if kind is not Where or node.column._meta.call_chain:  # raw SQL, or a column reached through a join
        return node.querystring
    column = node.column
    engine = column._meta.engine_type
    key = (id(column), node.operator, engine)
    kept = _COMPARISONS.get(key)
    if kept is None or kept[0] is not column:
        name = column.get_where_string(engine_type=engine)
        template = node.operator.template.format(name=name, value="{}", values="{}")
        if len(_COMPARISONS) >= COMPARISONS_KEPT:
            _COMPARISONS.clear()
        kept = _COMPARISONS[key] = (column, template)
    args: list[Any] = []
    if not isinstance(node.value, Undefined):
        args.append(node.value)
    if not isinstance(node.values, Undefined):
        args.append(node.get_values_querystring(node.values))
    return QueryString(kept[1], *args)


def piccolos_own(query: Any) -> QueryString:
    """The SQL Piccolo itself builds for a query given to `built_once` (for the tests)."""
    select: Select = query.query if isinstance(query, First) else query
    frozen, select._frozen_querystrings = select._frozen_querystrings, None
    try:
        return select.querystrings[0]
    finally:
        select._frozen_querystrings = frozen


def one_of(column: str, values: Sequence[int] | Sequence[str], engine_type: str) -> WhereRaw:
    """`column` (quoted SQL, the code's own, never a request's) is one of `values` (ids, or keys), sent as
    ONE value: an array on PostgreSQL, JSON on SQLite. Piccolo's `is_in` converts and binds each value,
    which for a page of 50 cases cost more CPU than the rest of its query; this costs the same for any
    number, and is never near SQLite's limit on bound values."""
    sent = [v if isinstance(v, str) else int(v) for v in values]
    if engine_type == "postgres":
        return WhereRaw(f"{column} = ANY({{}})", sent)
    inside = f"{column} IN (SELECT value FROM json_each({{}}))"  # noqa: S608 - see above
    return WhereRaw(inside, json.dumps(sent))
