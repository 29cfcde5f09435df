"""How signing in, registering, resetting a password and issuing API tokens are refused, beyond the shared
refusals (`mediation/errors.py`). Pages catch them to redraw their form with the message on its field."""

from __future__ import annotations

from mediation.errors import Invalid, TooManyRequests


class AccountError(Invalid):
    """A new account's fields, each with its message (registration, an administrator's form)."""


class SignInError(Invalid):
    """The email address and password do not sign anyone in, or the account's address is not confirmed
    yet (`unconfirmed`: the password was right, so the page offers the link again)."""

    def __init__(self, message: str, *, unconfirmed: bool = False) -> None:
        super().__init__(message, field="email")
        self.unconfirmed = unconfirmed

    @property
    def message(self) -> str:
        return self.detail


class Throttled(TooManyRequests):
    """Too many sign-in attempts or reset emails for the address or the client: wait `retry_after`
    seconds (429 with Retry-After)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after, field="email")

    @property
    def message(self) -> str:
        return self.detail


class ApiTokenError(Invalid):
    """The account cannot have a token (unknown or deactivated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="email")
