"""What the staff queue page (`/home`) reads from its query: filters, the view (all cases, the officer's
own, unassigned) and search, checked into `QueueFilters`, and the query string its page links keep."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from mediation.cases.queue import RISK_LABELS, SCOPES, SEARCH_MAX_LENGTH, QueueFilters
from mediation.rules.lifecycle import STATES

QUEUE_VIEWS = {"all": "All cases", "mine": "My cases", "unassigned": "Unassigned"}
_ASSIGNEE = {"all": None, "mine": "me", "unassigned": "none"}


def queue_filters(params: Mapping[str, str]) -> tuple[QueueFilters, str, dict[str, str]]:
    """The filters asked for (an unknown choice counts as none, as a select cannot send one), the view,
    and errors for what a person typed (the search)."""
    allowed = {"state": set(STATES), "scope": set(SCOPES), "risk": set(RISK_LABELS)}
    chosen = {key: value if (value := params.get(key)) in allowed[key] else None for key in allowed}
    view = params.get("view") or "all"
    view = view if view in QUEUE_VIEWS else "all"
    q = (params.get("q") or "").strip()
    errors = {}
    if len(q) > SEARCH_MAX_LENGTH:
        errors["q"] = f"Search must be {SEARCH_MAX_LENGTH} characters or fewer"
    filters = QueueFilters(**chosen, q=q or None, assigned_to=_ASSIGNEE[view])
    return filters, view, errors


def queue_query(filters: QueueFilters, view: str) -> str:
    """The query string that draws this queue again (page links add their cursor to it)."""
    values = {"state": filters.state, "scope": filters.scope, "risk": filters.risk, "q": filters.q}
    if view != "all":
        values["view"] = view
    return urlencode({key: value for key, value in values.items() if value})
