"""Counting the SQL a block of code sends, for tests that pin how many queries a page or a job makes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from mediation import db


@contextlib.contextmanager
def counted_queries() -> Iterator[list[str]]:
    """Every SQL statement Piccolo sends while the block runs, in and out of transactions."""
    engine_class = type(db.engine())  # the engines have __slots__: patch the class for the block
    seen: list[str] = []
    real = engine_class.run_querystring

    async def counting(self, querystring, in_pool=True):  # noqa: ANN001, ANN202 - Piccolo's signature
        seen.append(str(querystring))
        return await real(self, querystring, in_pool=in_pool)

    engine_class.run_querystring = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        engine_class.run_querystring = real  # type: ignore[method-assign]
