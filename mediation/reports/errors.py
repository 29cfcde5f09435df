"""How a report request is refused, beyond the shared refusals (`mediation/errors.py`)."""

from __future__ import annotations

from mediation.errors import BadParameter


class ReportError(BadParameter):
    """The organisation, dates or metric asked for cannot be reported (400, a bad query parameter):
    field -> message, which the report page shows on its form."""
