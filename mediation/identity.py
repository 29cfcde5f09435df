"""Who is making a request: the signed-in person as a plain struct (never a table row)."""

from __future__ import annotations

import msgspec


class CurrentUser(msgspec.Struct, frozen=True):
    id: int
    email: str
    full_name: str
    role: str
    organisation_id: int | None
    organisation_name: str | None
    # Signed in with a temporary password: only the change-password page (and sign out) until changed.
    must_change_password: bool = False

    @property
    def label(self) -> str:
        return f"{self.full_name} <{self.email}> ({self.role})"

    @property
    def is_staff(self) -> bool:
        return self.role != "family"
