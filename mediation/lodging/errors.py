"""How an upload is refused, beyond the shared refusals (`mediation/errors.py`)."""

from __future__ import annotations

from mediation.errors import Invalid


class UploadError(Invalid):
    """The file cannot be kept (empty, too large, not a PDF); the message goes on the file field."""
