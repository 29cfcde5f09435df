"""The service's refusals, one hierarchy for every capability. Services raise them; one handler turns
them into JSON `detail` under /api, and pages show their field messages in the GOV.UK error summary.

`errors` maps a field id (the form field, or the JSON field) to a message written for the person who sent
it, so a page links each message to its field and the API joins them into one `detail`.
"""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(self, errors: dict[str, str] | str, *, field: str = "detail") -> None:
        self.errors = {field: errors} if isinstance(errors, str) else dict(errors)
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        return "; ".join(dict.fromkeys(self.errors.values()))


class Invalid(ServiceError):
    """A field is missing, malformed or impossible (422 in the API, 400 on a page)."""

    status_code = 422


class BadParameter(Invalid):
    """A query parameter (or a request the API reads as one) that cannot be answered: 400, as the HTTP
    edge answers any unreadable parameter. A body field that is wrong is `Invalid` (422)."""

    status_code = 400


class Conflict(ServiceError):
    """It cannot happen now: the lifecycle's own sentence, or someone else changed the case first."""

    status_code = 409


class Refused(ServiceError):
    """The caller's role may not do this on this case (403)."""

    status_code = 403


class NotFound(ServiceError):
    """Missing, or not the caller's to see: the two look the same (404)."""

    status_code = 404


class TooManyRequests(ServiceError):
    """Past a limit (sign-in attempts, reset emails): 429, with `Retry-After` in seconds."""

    status_code = 429

    def __init__(self, errors: dict[str, str] | str, *, retry_after: int, field: str = "detail") -> None:
        super().__init__(errors, field=field)
        self.retry_after = retry_after


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
