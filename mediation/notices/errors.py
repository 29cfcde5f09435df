"""How issuing a decision notice is refused, beyond the shared refusals (`mediation/errors.py`)."""

from __future__ import annotations

import datetime as dt

from mediation.errors import Invalid


class IssueError(Invalid):
    """The notice cannot be issued; `errors` maps a form field (or "" for the whole form) to a message."""


class DuplicateNotice(IssueError):
    """The same child, decision and date already have a notice: a conflict (409), which the form offers
    to reissue."""

    status_code = 409

    def __init__(self, reference: str, sent_on: dt.date) -> None:
        super().__init__(
            {
                "reissue": f"A notice for this child, decision and date was already issued on "
                f"{sent_on.day} {sent_on:%B %Y} ({reference})"
            }
        )
        self.reference = reference


class CsvError(Invalid):
    """The file as a whole cannot be used; the message says why and what to do."""
