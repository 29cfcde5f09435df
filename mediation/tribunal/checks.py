"""Input checks shared by the pages and the API. Errors are keyed by the page's field ids (a date field by
its day box, so the error summary links to the first box) and written for the person who typed them."""

from __future__ import annotations

import datetime as dt
import re

from mediation.tribunal.errors import TribunalInputError as TribunalInputError
from mediation.tribunal.words import long_day

REFERENCE = re.compile(r"[A-Za-z0-9/ .\-]{0,40}")


def date_key(name: str) -> str:
    return f"{name}-day"


class Checker:
    """Collects errors; the first problem with a field wins."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.errors: dict[str, str] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def required(self, name: str, value: dt.date | None, label: str) -> None:
        if value is None:
            self.add(date_key(name), f"Enter {label}")

    def past(self, name: str, value: dt.date | None, label: str) -> None:
        if value is not None and value > self.today:
            self.add(date_key(name), f"{label[0].upper()}{label[1:]} must be today or in the past")

    def after(
        self, name: str, value: dt.date | None, label: str, earlier: dt.date | None, earlier_label: str
    ) -> None:
        if value is not None and earlier is not None and value < earlier:
            self.add(
                date_key(name),
                f"{label[0].upper()}{label[1:]} must be on or after {earlier_label} ({long_day(earlier)})",
            )

    def reference(self, value: str) -> None:
        if not REFERENCE.fullmatch(value.strip()):
            self.add(
                "tribunal_reference",
                "Tribunal reference must be 40 characters or fewer, using letters, numbers, spaces, / . or -",
            )

    def raise_if_any(self) -> None:
        if self.errors:
            raise TribunalInputError(self.errors)
