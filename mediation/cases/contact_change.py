"""Changing a family's contact details: the case event `contact_changed`, recorded by the family or by the
body handling the case, with what it was and what it is now in the case log (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mediation import timekeeping
from mediation.cases import events, repository
from mediation.cases.contact import ContactDetails, check_contact
from mediation.cases.events import Change
from mediation.cases.model import Disagreement
from mediation.errors import Invalid
from mediation.identity import CurrentUser


def contact_of(case: Disagreement) -> ContactDetails:
    return ContactDetails(
        contact_by=case.contact_by,
        email=case.contact_email,
        phone=case.contact_phone,
        postal_address=case.postal_address,
        large_print=case.large_print,
    )


def _logged(contact: ContactDetails) -> dict[str, Any]:
    """The details by the case row's column names: what is written, and what the case log keeps."""
    return {
        "contact_by": contact.contact_by,
        "contact_email": contact.email,
        "contact_phone": contact.phone,
        "postal_address": contact.postal_address,
        "large_print": contact.large_print,
    }


def _changed(before: ContactDetails, after: ContactDetails) -> list[str]:
    names = {
        "contact_by": "how to contact",
        "email": "email",
        "phone": "phone",
        "postal_address": "postal address",
        "large_print": "large print",
    }
    return [words for field, words in names.items() if getattr(before, field) != getattr(after, field)]


async def change_contact(
    case: Disagreement, values: Mapping[str, Any], *, actor: CurrentUser
) -> Disagreement:
    """Check the new details (Invalid with the fields' messages), then record `contact_changed`."""
    today = timekeeping.today()
    events.check(case, "contact_changed", actor=actor, on=today)
    contact, errors = check_contact(values)
    if contact is None:
        raise Invalid(errors)
    before = contact_of(case)
    changed = _changed(before, contact)
    if not changed:
        raise Invalid("Change at least one contact detail, or go back to the case", field="contact_by")

    async def writes(change: Change) -> None:
        await repository.update_case(change.case.id, _logged(contact), timekeeping.now())

    who = "The family" if actor.role == "family" else actor.full_name
    return await events.record(
        case,
        "contact_changed",
        actor=actor,
        on=today,
        summary=f"{who} changed the family's contact details ({', '.join(changed)})",
        data=_logged(contact),
        before=_logged(before),
        writes=writes,
    )
