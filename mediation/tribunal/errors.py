"""How tribunal changes are refused, beyond the shared refusals (`mediation/errors.py`)."""

from __future__ import annotations

from mediation.errors import Invalid, NotFound


class TribunalInputError(Invalid):
    """A tribunal change refused on its fields: field id -> message."""


class NoAppeal(NotFound):
    """The case has no appeal recorded yet."""


class UnopposedNotApplicable(Invalid):
    """Regulation 45 does not apply to this appeal; the message (lower case) says why, for the caller to
    put on its own field."""
