"""What the mediation stage's use cases share: the case's mediation record, the arranging body's
working days (for meeting slots) and its contact address. Every change itself is a case event."""

from __future__ import annotations

from typing import Any

from mediation import timekeeping
from mediation.advice.tables import MediationRecord
from mediation.cases.model import Disagreement
from mediation.errors import Conflict, Invalid
from mediation.organisations.closures import calendar_for
from mediation.organisations.tables import Organisation
from mediation.rules.calendar import WorkingCalendar

CERTIFICATE_CLOCKS = {
    "after_decline": "certificate_after_decline",
    "unable_to_arrange": "certificate_unable_to_arrange",
    "after_mediation": "certificate_after_mediation",
}
HELD_CLOCKS = ("mediation_held_by_la", "mediation_held_by_icb")


class MediationError(Invalid):
    """A mediation change refused on its fields: field id -> the message for the error summary."""


class SlotTaken(Conflict):
    """Someone else has just booked the time (409 in the API)."""


async def arranging_calendar(case: Disagreement) -> WorkingCalendar:
    """The arranging body's days for meetings: bank holidays plus its own closure days. Closures block
    meeting slots; they never move a statutory date (those use the national calendar)."""
    return await calendar_for(case.arranging_organisation_id or case.local_authority_id)


async def save_record(case_id: int, values: dict[Any, Any]) -> None:
    """Create the case's mediation record on first use, then update it; call inside a transaction."""
    now = timekeeping.now()
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
