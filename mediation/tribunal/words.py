"""Dates and phrases in the words families read: 'Friday 8 January 2027', whatever the server's locale."""

from __future__ import annotations

from mediation.rules.calendar import format_long_date as long_day  # one date style everywhere

__all__ = ["listed", "long_day"]


def listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
