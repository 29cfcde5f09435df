"""The pure statutory core: calendar, rule catalogue, deadlines, routing and case lifecycle.

It imports nothing from the web or database layers (stdlib and `holidays` only), so a SEND lawyer can
read it and the tests run in milliseconds.
"""

from mediation.rules.calendar import DEFAULT_CALENDAR, Reckoning, WorkingCalendar, format_date
from mediation.rules.catalogue import RULE_IDS, Limb, Rule, all_rules, rule_for, versions
from mediation.rules.deadlines import Candidate, Deadline, compute_deadline
from mediation.rules.errors import (
    IllegalTransition,
    RoutingInputError,
    RuleInputError,
    RuleNotInForce,
    RulesError,
    UnknownRule,
)
from mediation.rules.lifecycle import CaseFacts, allowed_events, transition
from mediation.rules.routing import (
    DECISION_LABELS,
    DECISIONS,
    SECTION_LABELS,
    SECTIONS,
    RoutingDecision,
    route,
)

__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "DEFAULT_CALENDAR",
    "RULE_IDS",
    "SECTIONS",
    "SECTION_LABELS",
    "Candidate",
    "CaseFacts",
    "Deadline",
    "IllegalTransition",
    "Limb",
    "Reckoning",
    "RoutingDecision",
    "RoutingInputError",
    "Rule",
    "RuleInputError",
    "RuleNotInForce",
    "RulesError",
    "UnknownRule",
    "WorkingCalendar",
    "all_rules",
    "allowed_events",
    "compute_deadline",
    "format_date",
    "route",
    "rule_for",
    "transition",
    "versions",
]
