"""How booking can fail beyond the shared refusals (`mediation/errors.py`)."""

from __future__ import annotations

from mediation.errors import Conflict


class SlotTaken(Conflict):
    """Someone else has just booked the time (409 in the API)."""
