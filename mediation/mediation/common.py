"""Shared pieces of the mediation stage: who may do what, the case's record, calendar and state moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mediation.cases.state import apply_event
from mediation.identity import CurrentUser
from mediation.mediation.tables import MediationRecord
from mediation.organisations.closures import calendar_for
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import WorkingCalendar
from mediation.rules.errors import IllegalTransition
from mediation.rules.routing import RoutingDecision, route

# Who may take each mediation action, by role; `arranging` means the body that must arrange mediation
# (the LA, or the ICB for health-only cases). The case itself must also be visible to the user.
ACTIONS: dict[str, set[str]] = {
    "assign_service": {"arranging"},
    "assign_mediator": {"mediator"},
    "record_advice": {"mediator", "la_coordinator"},
    "notify_icb": {"la_coordinator"},
    "unable_to_arrange": {"arranging"},
    "issue_certificate": {"mediator"},
    "schedule": {"arranging", "mediator"},
    "record_outcome": {"mediator"},
}
ARRANGER_ROLE = {"local_authority": "la_coordinator", "health_commissioner": "health_commissioner"}
CERTIFICATE_CLOCKS = {
    "after_decline": "certificate_after_decline",
    "unable_to_arrange": "certificate_unable_to_arrange",
    "after_mediation": "certificate_after_mediation",
}
HELD_CLOCKS = ("mediation_held_by_la", "mediation_held_by_icb")


class MediationError(ValueError):
    """A refused mediation action: field id -> the message for the error summary."""

    def __init__(self, errors: dict[str, str], *, conflict: bool = False) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.conflict = conflict  # someone else took the slot: 409 in the API


def may(user: CurrentUser, action: str, case: dict[str, Any]) -> bool:
    """Whether this user may take `action` on a case they can already see (find_case)."""
    allowed = ACTIONS[action]
    if user.role in allowed:
        return True
    return "arranging" in allowed and ARRANGER_ROLE.get(case.get("arranged_by") or "") == user.role


def routing_of(case: dict[str, Any]) -> RoutingDecision:
    return route(case["decision"], [s for s in str(case["sections"]).split(",") if s])


async def arranging_calendar(case: dict[str, Any]) -> WorkingCalendar:
    """The working days of the body that arranges mediation (bank holidays plus its closure days)."""
    if case.get("arranged_by") == "health_commissioner" and case.get("icb"):
        return await calendar_for(case["icb"])
    return await calendar_for(case["local_authority"])


async def record_of(case_id: int) -> dict[str, Any] | None:
    return await MediationRecord.select().where(MediationRecord.disagreement == case_id).first()


async def save_record(case_id: int, values: dict[Any, Any]) -> None:
    """Create the case's mediation record on first use, then update it; call inside a transaction."""
    now = dt.datetime.now(dt.UTC)
    updated = (
        await MediationRecord.update({**values, MediationRecord.updated_at: now})
        .where(MediationRecord.disagreement == case_id)
        .returning(MediationRecord.id)
    )
    if not updated:
        row = MediationRecord(disagreement=case_id, created_at=now, updated_at=now)
        for column, value in values.items():
            setattr(row, column._meta.name, value)
        await row.save()


async def move(case: dict[str, Any], event: str, actor: CurrentUser | None, summary: str = "") -> None:
    """apply_event, with a refusal turned into an error the page and the API can show."""
    try:
        await apply_event(case, event, actor=actor, summary=summary)
    except IllegalTransition as exc:
        message = str(exc)
        raise MediationError({"state": message[0].upper() + message[1:]}) from exc


async def organisation_email(org_id: int | None) -> tuple[str, str]:
    """An organisation's name and main email address ('' when it has none)."""
    if org_id is None:
        return "", ""
    row = (
        await Organisation.select(Organisation.name, Organisation.email)
        .where(Organisation.id == org_id)
        .first()
    )
    return (row["name"], row["email"]) if row else ("", "")


def check_date(
    errors: dict[str, str],
    field: str,
    value: dt.date | None,
    label: str,
    *,
    not_before: dt.date | None = None,
) -> None:
    """The common checks on a date someone records: given, not in the future, not before the case began.

    The error is keyed `<field>-day`, the first box of the GOV.UK date input, so the summary link lands there.
    """
    field = f"{field}-day"
    if value is None:
        errors.setdefault(field, f"Enter {label}")
    elif value > dt.date.today():
        errors.setdefault(field, f"{label[0].upper() + label[1:]} must be today or in the past")
    elif not_before is not None and value < not_before:
        errors.setdefault(
            field,
            f"{label[0].upper() + label[1:]} must be on or after {not_before.day} {not_before:%B %Y}",
        )
