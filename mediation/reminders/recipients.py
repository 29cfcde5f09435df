"""Who hears about a clock: loaded for every organisation a sweep touches in a few queries, not per clock."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mediation.accounts.tables import Account, Role
from mediation.organisations.tables import (
    ContactPurpose,
    Organisation,
    OrganisationClosure,
    OrganisationContact,
)
from mediation.rules.calendar import DEFAULT_CALENDAR, WorkingCalendar

# The staff accounts that act for each kind of party.
ROLE_FOR_ACTOR = {
    "local_authority": Role.la_coordinator.value,
    "health_commissioner": Role.health_commissioner.value,
    "mediator": Role.mediator.value,
    "mediation_adviser": Role.mediator.value,
}
FAMILY_KEY = "family"  # the case's contact, however they are reached: part of the dedupe key


@dataclass(frozen=True)
class Recipient:
    key: str  # stable per person: part of the dedupe key
    name: str
    email: str
    address: str = ""
    why: str = ""  # "you are the SEND team contact for ..."
    label: str = ""  # how the case timeline names them: "the SEND manager at ..."


def email_key(email: str) -> str:
    return "e" + hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:20]


def family_recipient(row: Mapping[str, Any]) -> Recipient:
    """The case's contact: by post when the family asked for post, otherwise by email."""
    email = row["contact_email"] or ""
    address = row["postal_address"] or ""
    if row["contact_by"] == "post" and address.strip():
        email = ""
    elif not email.strip() and not address.strip():
        email = row["family_email"] or ""  # never leave the family without the message
    return Recipient(
        key=FAMILY_KEY,
        name=row["family_name"] or "",
        email=email,
        address=address,
        why="you are the contact for this disagreement",
    )


class Directory:
    """Organisations' contacts, active staff accounts and working calendars, keyed by organisation id."""

    def __init__(
        self,
        organisations: Iterable[Mapping[str, Any]],
        contacts: Iterable[Mapping[str, Any]],
        accounts: Iterable[Mapping[str, Any]],
        closures: Iterable[Mapping[str, Any]],
    ) -> None:
        self.organisations = {o["id"]: dict(o) for o in organisations}
        self.contacts = {(c["organisation"], c["purpose"]): dict(c) for c in contacts}
        self.accounts: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for a in sorted(accounts, key=lambda a: a["id"]):
            self.accounts[a["organisation"]].append(dict(a))
        days: dict[int, dict[Any, str]] = defaultdict(dict)
        for c in closures:
            days[c["organisation"]][c["day"]] = c["reason"]
        self._calendars = {org: WorkingCalendar(d) for org, d in days.items()}
        self.loaded: set[int] = set(self.organisations)  # ids looked up (see `include`)

    @classmethod
    async def load(cls, organisation_ids: Iterable[int | None]) -> Directory:
        ids = sorted({i for i in organisation_ids if i is not None})
        if not ids:
            return cls([], [], [], [])
        organisations = await Organisation.select(
            Organisation.id, Organisation.name, Organisation.email, Organisation.address
        ).where(Organisation.id.is_in(ids))
        contacts = await OrganisationContact.select(
            OrganisationContact.organisation,
            OrganisationContact.purpose,
            OrganisationContact.name,
            OrganisationContact.email,
            OrganisationContact.address,
        ).where(OrganisationContact.organisation.is_in(ids))
        accounts = await Account.select(
            Account.id, Account.email, Account.full_name, Account.role, Account.organisation
        ).where(
            Account.organisation.is_in(ids)
            & (Account.active == True)  # noqa: E712 - Piccolo builds SQL from ==
            & Account.role.is_in(sorted(set(ROLE_FOR_ACTOR.values())))
        )
        closures = await OrganisationClosure.select(
            OrganisationClosure.organisation, OrganisationClosure.day, OrganisationClosure.reason
        ).where(OrganisationClosure.organisation.is_in(ids))
        directory = cls(organisations, contacts, accounts, closures)
        directory.loaded = set(ids)
        return directory

    async def include(self, organisation_ids: Iterable[int | None]) -> None:
        """Add the organisations not looked up yet: a sweep's batches share one directory, so each
        organisation's contacts, staff and closures are read once a sweep, not once a batch."""
        missing = {i for i in organisation_ids if i is not None} - self.loaded
        if not missing:
            return
        more = await Directory.load(missing)
        self.organisations.update(more.organisations)
        self.contacts.update(more.contacts)
        self.accounts.update(more.accounts)
        self._calendars.update(more._calendars)
        self.loaded |= more.loaded

    def calendar(self, organisation_id: int | None) -> WorkingCalendar:
        # One shared national calendar for every organisation without closures (it is immutable), so a
        # sweep's Timetable works each due date out once for all of them.
        return self._calendars.get(organisation_id or 0, DEFAULT_CALENDAR)

    def name_of(self, organisation_id: int | None) -> str:
        return str(self.organisations.get(organisation_id or 0, {}).get("name", ""))

    def staff(self, organisation_id: int | None, role: str) -> list[dict[str, Any]]:
        return [a for a in self.accounts.get(organisation_id or 0, []) if a["role"] == role]

    def _contact(self, organisation_id: int | None, purpose: ContactPurpose, why: str) -> Recipient | None:
        contact = self.contacts.get((organisation_id, purpose.value))
        if contact is None or not (contact["email"] or contact["address"]).strip():
            return None
        key = email_key(contact["email"]) if contact["email"] else "p" + email_key(contact["address"])[1:]
        return Recipient(key, contact["name"], contact["email"], contact["address"], why)

    def _organisation(self, organisation_id: int | None, why: str) -> Recipient | None:
        org = self.organisations.get(organisation_id or 0)
        if org is None or not (org["email"] or org["address"]).strip():
            return None
        key = email_key(org["email"]) if org["email"] else "p" + email_key(org["address"])[1:]
        return Recipient(key, org["name"], org["email"], org["address"], why)

    def _accounts(self, organisation_id: int | None, role: str, why: str) -> list[Recipient]:
        return [
            Recipient(email_key(a["email"]), a["full_name"], a["email"], "", why)
            for a in self.staff(organisation_id, role)
        ]

    def for_clock(self, clock: Mapping[str, Any]) -> list[Recipient]:
        """Whoever must act on the clock, each person once (a coordinator may also be the team contact)."""
        actor = clock["actor"]
        la, icb, service = clock["local_authority"], clock["icb"], clock["mediation_service"]
        found: list[Recipient | None] = []
        if actor == "family":
            return [family_recipient(clock)]
        if actor == "local_authority":
            why = f"you work in the SEND team at {self.name_of(la)}"
            found += [
                self._contact(la, ContactPurpose.send_team, why),
                *self._accounts(la, ROLE_FOR_ACTOR[actor], why),
            ]
        elif actor == "health_commissioner" and icb is None:
            # No ICB recorded on the case yet: the LA, which must bring the ICB in, hears instead.
            why = f"you work in the SEND team at {self.name_of(la)} and no ICB is recorded on the case"
            found += [
                self._contact(la, ContactPurpose.send_team, why),
                *self._accounts(la, ROLE_FOR_ACTOR["local_authority"], why),
            ]
        elif actor == "health_commissioner":
            why = f"you act for {self.name_of(icb)} on SEND disagreements"
            found += [
                self._contact(icb, ContactPurpose.designated_officer, why),
                *self._accounts(icb, ROLE_FOR_ACTOR[actor], why),
            ]
        elif actor in ("mediator", "mediation_adviser"):
            if service is not None:
                why = f"{self.name_of(service)} is the mediation service on this case"
                found += self._accounts(service, ROLE_FOR_ACTOR[actor], why) or [
                    self._organisation(service, why)
                ]
            else:
                why = f"you are the mediation adviser contact for {self.name_of(la)}"
                found.append(self._contact(la, ContactPurpose.mediation_adviser, why))
        return _unique(found)

    def recipient_keys(self, clock: Mapping[str, Any]) -> list[str]:
        """The keys of `for_clock`'s recipients, from the clock's actor and organisations alone: the
        family's own details (which only its message needs) are never read for a family's clock."""
        if clock["actor"] == "family":
            return [FAMILY_KEY]
        return [r.key for r in self.for_clock(clock)]

    def escalation_for(self, clock: Mapping[str, Any]) -> Recipient | None:
        """The manager told about a missed deadline: the ICB's designated officer for the ICB's clocks,
        otherwise the LA's SEND manager (the LA arranges mediation and answers for the adviser); the
        organisation's own address when that contact is missing."""
        if clock["actor"] == "health_commissioner" and clock["icb"] is not None:
            org, purpose, role = clock["icb"], ContactPurpose.designated_officer, "designated officer"
        else:
            org, purpose, role = clock["local_authority"], ContactPurpose.send_manager, "SEND manager"
        why = f"you are the {role} for {self.name_of(org)}"
        contact = self._contact(org, purpose, why)
        if contact is not None:
            return dataclasses.replace(contact, label=f"the {role} at {self.name_of(org)}")
        fallback = self._organisation(org, f"no {role} is recorded for {self.name_of(org)}")
        return dataclasses.replace(fallback, label=self.name_of(org)) if fallback else None


def _unique(found: Iterable[Recipient | None]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for r in found:
        if r is not None and r.key not in seen:
            seen[r.key] = r
    return sorted(seen.values(), key=lambda r: r.key)
