"""Reference data: organisations, their contact details and LA-ICB links (admins change them)."""

from __future__ import annotations

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.organisations.tables import ContactPurpose, LaIcbLink, Organisation, OrganisationContact

CONTACT_LABELS = {
    ContactPurpose.mediation_adviser.value: "Mediation adviser",
    ContactPurpose.sendiass.value: "SEND information, advice and support service (SENDIASS)",
    ContactPurpose.disagreement_resolution.value: "Disagreement resolution service",
    ContactPurpose.send_team.value: "SEND team",
    ContactPurpose.send_manager.value: "SEND manager (escalations)",
    ContactPurpose.designated_officer.value: "Designated clinical or medical officer",
}

KIND_LABELS = {
    "local_authority": "Local authority",
    "icb": "Integrated care board (health commissioner)",
    "mediation_service": "Independent mediation service",
}


class Contact(msgspec.Struct):
    purpose: str
    label: str
    name: str
    email: str
    phone: str
    address: str
    website: str


class OrganisationDetail(msgspec.Struct):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str
    email: str
    phone: str
    address: str
    website: str
    active: bool
    contacts: list[Contact]
    linked: list[str]


class OrganisationSummary(msgspec.Struct):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str
    active: bool


async def list_organisations() -> list[OrganisationSummary]:
    rows = (
        await Organisation.select(
            Organisation.id, Organisation.name, Organisation.kind, Organisation.code, Organisation.active
        )
        .order_by(Organisation.kind)
        .order_by(Organisation.name)
    )
    return [OrganisationSummary(kind_label=KIND_LABELS.get(r["kind"], r["kind"]), **r) for r in rows]


async def get_organisation(org_id: int) -> OrganisationDetail | None:
    row = await Organisation.select().where(Organisation.id == org_id).first()
    if row is None:
        return None
    contacts = await OrganisationContact.select().where(OrganisationContact.organisation == org_id)
    by_purpose = {c["purpose"]: c for c in contacts}
    linked_rows = await LaIcbLink.select(
        LaIcbLink.local_authority.name.as_alias("la"), LaIcbLink.icb.name.as_alias("icb")
    ).where((LaIcbLink.local_authority == org_id) | (LaIcbLink.icb == org_id))
    linked = sorted({r["icb"] if r["la"] == row["name"] else r["la"] for r in linked_rows})
    return OrganisationDetail(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        kind_label=KIND_LABELS.get(row["kind"], row["kind"]),
        code=row["code"],
        email=row["email"],
        phone=row["phone"],
        address=row["address"],
        website=row["website"],
        active=row["active"],
        linked=linked,
        contacts=[
            Contact(
                purpose=purpose,
                label=label,
                name=by_purpose.get(purpose, {}).get("name", ""),
                email=by_purpose.get(purpose, {}).get("email", ""),
                phone=by_purpose.get(purpose, {}).get("phone", ""),
                address=by_purpose.get(purpose, {}).get("address", ""),
                website=by_purpose.get(purpose, {}).get("website", ""),
            )
            for purpose, label in CONTACT_LABELS.items()
        ],
    )


def validate_contact(purpose: str, values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    prefix = f"{purpose}-"
    email = values.get("email", "").strip()
    if email and ("@" not in email or " " in email):
        errors[prefix + "email"] = f"{CONTACT_LABELS[purpose]}: enter an email address like name@example.org"
    if (
        any(values.get(k, "").strip() for k in ("email", "phone", "address", "website"))
        and not values.get("name", "").strip()
    ):
        errors[prefix + "name"] = f"{CONTACT_LABELS[purpose]}: enter a name for this contact"
    for key, limit in (("name", 200), ("email", 254), ("phone", 40), ("website", 300), ("address", 2000)):
        if len(values.get(key, "")) > limit:
            errors[prefix + key] = f"{CONTACT_LABELS[purpose]}: {key} must be {limit} characters or fewer"
    return errors


async def save_contacts(
    org_id: int, contacts: dict[str, dict[str, str]], *, actor: CurrentUser | None, client: str = ""
) -> dict[str, str]:
    """Validate every contact first; save all or nothing. Returns field errors (empty when saved)."""
    errors: dict[str, str] = {}
    for purpose, values in contacts.items():
        if purpose not in CONTACT_LABELS:
            errors[purpose] = f"Unknown contact type {purpose!r}"
        else:
            errors.update(validate_contact(purpose, values))
    if errors:
        return errors
    async with transaction():
        existing = {
            c["purpose"]: c
            for c in await OrganisationContact.select().where(OrganisationContact.organisation == org_id)
        }
        for purpose, values in contacts.items():
            clean = {k: values.get(k, "").strip() for k in ("name", "email", "phone", "address", "website")}
            before = existing.get(purpose)
            before_clean = {k: before[k] for k in clean} if before else {k: "" for k in clean}
            if before_clean == clean:
                continue
            if before is None:
                await OrganisationContact.insert(
                    OrganisationContact(organisation=org_id, purpose=purpose, **clean)
                )
            else:
                await OrganisationContact.update(clean).where(OrganisationContact.id == before["id"])
            old, new = audit.changed_fields(before_clean, clean)
            await audit.record(
                actor=actor,
                action="update",
                entity="organisation_contact",
                entity_id=f"{org_id}:{purpose}",
                summary=f"{CONTACT_LABELS[purpose]} details changed",
                before=old,
                after=new,
                client=client,
            )
    return {}


async def create_organisation(
    *, name: str, kind: str, code: str, email: str = "", phone: str = "", address: str = "", website: str = ""
) -> int:
    row = Organisation(
        name=name,
        kind=kind,
        code=code,
        email=email,
        phone=phone,
        address=address,
        website=website,
        created_at=timekeeping.now(),
    )
    await row.save()
    await audit.record(
        actor=None,
        action="create",
        entity="organisation",
        entity_id=row.id,
        summary=f"{name} added",
        after={"name": name, "kind": kind, "code": code},
    )
    return int(row.id)


async def link_la_to_icb(la_id: int, icb_id: int) -> None:
    await LaIcbLink.insert(LaIcbLink(local_authority=la_id, icb=icb_id))


async def icb_for_la(la_id: int) -> int | None:
    row = await LaIcbLink.select(LaIcbLink.icb).where(LaIcbLink.local_authority == la_id).first()
    return row["icb"] if row else None
