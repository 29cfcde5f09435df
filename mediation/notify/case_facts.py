"""What the outbox reads about the case a message is about, and the case documents a message encloses.

Cases sit above notify (they queue its messages), so notify never imports them: cases register their
reader here when `cases/tables.py` is imported (`cases/lower_layers.py`), as it is in any process that has
a case (the web app and its delivery job, a script that queues a letter). Reading a case with no reader
registered is a bug, not a blank: `reader()` raises.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LetterHeading:
    """What a posted letter says about its case."""

    reference: str
    signing_body_id: int | None  # the body arranging mediation, or the LA
    large_print: bool  # the family asked for large print letters


@dataclass(frozen=True)
class CaseReader:
    # The organisation whose print queue the case's letters join, and whether the family asked for large
    # print ((None, False) for no such case).
    print_queue_of: Callable[[int], Awaitable[tuple[int | None, bool]]]
    # None for no such case.
    letter_heading: Callable[[int], Awaitable[LetterHeading | None]]
    # Case id -> reference, for those that exist.
    references: Callable[[Sequence[int]], Awaitable[dict[int, str]]]
    # Document id -> (content, content type), for those that exist.
    documents: Callable[[Sequence[int]], Awaitable[dict[int, tuple[bytes, str]]]]


_reader: CaseReader | None = None


def register(reader: CaseReader) -> None:
    global _reader
    _reader = reader


def reader() -> CaseReader:
    if _reader is None:
        raise RuntimeError("no case reader for the outbox: import mediation.cases.tables first")
    return _reader
