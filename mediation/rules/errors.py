"""Errors raised by the rules core. Each carries a `detail` written for the person who sent the input."""

from __future__ import annotations


class RulesError(ValueError):
    """Base class: the input cannot be answered by the rules. The web layer turns these into 400/422."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownRule(RulesError):
    """The rule id is not in the catalogue."""


class RuleNotInForce(RulesError):
    """The rule exists, but no version of it was in force on the date asked about."""


class RuleInputError(RulesError):
    """An input to a deadline computation is missing, unexpected or malformed."""


class RoutingInputError(RulesError):
    """An unknown decision or section, or an impossible combination, was given to routing."""


class IllegalTransition(RulesError):
    """The case cannot take this event in its current state; `reason` says why."""

    @property
    def reason(self) -> str:
        return self.detail
