"""Reference data: organisations, their contact details and LA-ICB links (admins change them)."""

from __future__ import annotations

import datetime as dt
import re

import msgspec

from mediation import timekeeping
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.db_typing import Condition
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
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor_id: int | None = None
    successor_name: str | None = None


class OrganisationSummary(msgspec.Struct):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str
    active: bool
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: int | None = None


async def list_organisations() -> list[OrganisationSummary]:
    rows = (
        await Organisation.select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.code,
            Organisation.active,
            Organisation.valid_from,
            Organisation.valid_to,
            Organisation.successor,
        )
        .order_by(Organisation.kind)
        .order_by(Organisation.name)
    )
    return [OrganisationSummary(kind_label=KIND_LABELS.get(r["kind"], r["kind"]), **r) for r in rows]


async def get_organisation(org_id: int) -> OrganisationDetail | None:
    if not 0 < org_id < 2**31:
        return None
    row = (
        await Organisation.select(
            *Organisation.all_columns(), Organisation.successor.name.as_alias("successor_name")
        )
        .where(Organisation.id == org_id)
        .first()
    )
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
        kind_label=KIND_LABELS.get(row["kind"]) or row["kind"],
        code=row["code"],
        email=row["email"],
        phone=row["phone"],
        address=row["address"],
        website=row["website"],
        active=row["active"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        successor_id=row["successor"],
        successor_name=row["successor_name"],
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
                    # Piccolo takes columns by name at run time; its stubs declare only its own keywords.
                    OrganisationContact(organisation=org_id, purpose=purpose, **clean)  # type: ignore[arg-type]
                )
            else:
                await OrganisationContact.update(clean).where(  # type: ignore[arg-type]  # names, as above
                    OrganisationContact.id == before["id"]
                )
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


async def link_la_to_icb(
    la_id: int, icb_id: int, *, valid_from: dt.date | None = None, valid_to: dt.date | None = None
) -> int:
    rows = await LaIcbLink.insert(
        LaIcbLink(local_authority=la_id, icb=icb_id, valid_from=valid_from, valid_to=valid_to)
    ).returning(LaIcbLink.id)
    return int(rows[0]["id"])


def exists_on(day: dt.date | None = None):
    """A WHERE clause: organisations that exist on `day` (today by default), by their own dates."""
    when = day or timekeeping.today()
    return (Organisation.valid_from.is_null() | (Organisation.valid_from <= when)) & (
        Organisation.valid_to.is_null() | (Organisation.valid_to >= when)
    )


def holds_on(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


async def current_body(org_id: int, on: dt.date | None = None) -> int:
    """The body that answers for `org_id` on `on` (today by default): itself while it exists, else its
    successor (followed down the chain: a body merged twice goes to the last one)."""
    day = on or timekeeping.today()
    seen: set[int] = set()
    while org_id not in seen:
        seen.add(org_id)
        row = (
            await Organisation.select(Organisation.valid_to, Organisation.successor)
            .where(Organisation.id == org_id)
            .first()
        )
        if row is None or row["successor"] is None or row["valid_to"] is None or day <= row["valid_to"]:
            return org_id
        org_id = int(row["successor"])
    return org_id


async def icb_for_la(la_id: int, on: dt.date | None = None) -> int | None:
    """The ICB linked to the LA on `on` (today by default), or the successor of the one linked then.

    Links with dates say which ICB serves the LA when; where several hold, the most recent start wins.
    A link to an ICB that has since been merged leads to its successor."""
    day = on or timekeeping.today()
    rows = await LaIcbLink.select(LaIcbLink.icb, LaIcbLink.valid_from, LaIcbLink.valid_to).where(
        LaIcbLink.local_authority == la_id
    )
    holding = [r for r in rows if holds_on(r["valid_from"], r["valid_to"], day)]
    if not holding:
        return None
    chosen = max(holding, key=lambda r: r["valid_from"] or dt.date.min)
    return await current_body(int(chosen["icb"]), day)


# --- Admins create and edit organisations, their validity and successor, and LA-ICB links ---

# Official codes: ONS/GSS for English councils (E06 unitary, E07 district, E08 metropolitan, E09 London
# borough, E10 county), ODS for integrated care boards ("Q" and two characters). Mediation services have
# no official register: a short reference of the admin's choosing.
CODE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "local_authority": (
        re.compile(r"E(06|07|08|09|10)\d{6}"),
        "Enter the council's ONS (GSS) code: E06, E07, E08, E09 or E10 and 6 numbers, like E06000042",
    ),
    "icb": (
        re.compile(r"Q[A-Z0-9]{2}"),
        "Enter the integrated care board's ODS code: Q and 2 letters or numbers, like QHG",
    ),
    "mediation_service": (
        re.compile(r"[A-Z0-9][A-Z0-9-]{1,19}"),
        "Enter a reference of 2 to 20 letters, numbers and hyphens, like IMS-DEMO",
    ),
}
CODE_HINTS = {
    "local_authority": "The council's ONS (GSS) code, like E06000042",
    "icb": "The integrated care board's ODS code, like QHG",
    "mediation_service": "A short reference of your choosing, like IMS-DEMO",
}
KIND_NOUNS = {
    "local_authority": "local authority",
    "icb": "integrated care board",
    "mediation_service": "mediation service",
}
ORGANISATION_FIELDS = ("name", "code", "email", "phone", "address", "website")
LIMITS = {"name": 200, "email": 254, "phone": 40, "address": 2000, "website": 300}


class OrganisationInput(msgspec.Struct, kw_only=True):
    kind: str
    name: str
    code: str
    email: str = ""
    phone: str = ""
    address: str = ""
    website: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor_id: int | None = None


def _long_date(day: dt.date) -> str:
    from mediation.rules.calendar import format_long_date

    return format_long_date(day)


async def _check_organisation(data: OrganisationInput, org_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in CODE_RULES:
        errors["kind"] = "Select the kind of organisation"
    name = data.name.strip()
    if not name:
        errors["name"] = "Enter the organisation's name"
    code = data.code.strip().upper()
    if not code:
        errors["code"] = "Enter the organisation's code"
    elif data.kind in CODE_RULES and not CODE_RULES[data.kind][0].fullmatch(code):
        errors["code"] = CODE_RULES[data.kind][1]
    else:
        same: Condition = Organisation.code == code
        if org_id is not None:
            same = same & (Organisation.id != org_id)
        if await Organisation.exists().where(same):
            errors["code"] = f"Another organisation already has the code {code}"
    for key, limit in LIMITS.items():
        if len(getattr(data, key).strip()) > limit:
            errors.setdefault(key, f"The {key} must be {limit} characters or fewer")
    email = data.email.strip()
    if email and ("@" not in email or " " in email):
        errors["email"] = "Enter an email address like name@example.org"
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        errors["valid_to"] = "The last day must be the same as or after the first day"
    if data.successor_id is not None:
        errors.update(await _check_successor(data, org_id))
    if org_id is not None:
        for field, message in (await _check_predecessors(data, org_id)).items():
            errors.setdefault(field, message)
    return errors


async def _check_successor(data: OrganisationInput, org_id: int | None) -> dict[str, str]:
    successor_id = data.successor_id or 0
    if data.valid_to is None:
        return {
            "valid_to": "Enter the last day the organisation exists, the day before its successor takes over"
        }
    successor = (
        await Organisation.select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.valid_from,
            Organisation.valid_to,
        )
        .where(Organisation.id == successor_id)
        .first()
        if 0 < successor_id < 2**31
        else None
    )
    if successor is None or successor["kind"] != data.kind or successor_id == org_id:
        return {"successor": f"Select another {KIND_NOUNS.get(data.kind, 'organisation')} as the successor"}
    takes_over = data.valid_to + dt.timedelta(days=1)
    if not holds_on(successor["valid_from"], successor["valid_to"], takes_over):
        return {
            "successor": f"{successor['name']} does not exist on {_long_date(takes_over)}, the day it would "
            "take over: check its dates"
        }
    # Each successor must exist the day after its predecessor's last day, and edits keep that true
    # (`_check_predecessors`), so every step of a chain ends later than the one before: it cannot loop.
    return {}


async def _check_predecessors(data: OrganisationInput, org_id: int) -> dict[str, str]:
    """An organisation that others pass their work to must still exist on each of their takeover days."""
    for row in await Organisation.select(Organisation.name, Organisation.valid_to).where(
        (Organisation.successor == org_id) & Organisation.valid_to.is_not_null()
    ):
        takes_over = row["valid_to"] + dt.timedelta(days=1)
        if not holds_on(data.valid_from, data.valid_to, takes_over):
            field = "valid_from" if data.valid_from and data.valid_from > takes_over else "valid_to"
            return {
                field: f"{row['name']} passes its work to this organisation on {_long_date(takes_over)}: "
                "it must exist on that day"
            }
    return {}


def _organisation_values(data: OrganisationInput) -> dict[str, object]:
    return {
        "name": data.name.strip(),
        "code": data.code.strip().upper(),
        "email": data.email.strip(),
        "phone": data.phone.strip(),
        "address": data.address.strip(),
        "website": data.website.strip(),
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "successor": data.successor_id,
    }


def _logged(values: dict[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


async def add_organisation(
    data: OrganisationInput, *, actor: CurrentUser | None, client: str = ""
) -> tuple[int | None, dict[str, str]]:
    """A new LA, ICB or mediation service; (its id, {}) or (None, field errors)."""
    errors = await _check_organisation(data, None)
    if errors:
        return None, errors
    values = _organisation_values(data)
    async with transaction():
        row = Organisation(kind=data.kind, created_at=timekeeping.now(), **values)  # type: ignore[arg-type]  # Piccolo takes columns by name at run time
        await row.save()
        await audit.record(
            actor=actor,
            action="create",
            entity="organisation",
            entity_id=row.id,
            summary=f"{values['name']} added ({KIND_LABELS[data.kind]}, code {values['code']})",
            after={"kind": data.kind, **_logged(values)},
            client=client,
        )
    return int(row.id), {}


async def edit_organisation(
    org_id: int, data: OrganisationInput, *, actor: CurrentUser | None, client: str = ""
) -> dict[str, str]:
    """Change an organisation's details, dates and successor (its kind never changes: its staff, cases
    and links depend on it). Returns field errors, empty when saved."""
    async with transaction():
        current = await Organisation.select().where(Organisation.id == org_id).first()
        if current is None:
            return {"name": "This organisation no longer exists"}
        data = msgspec.structs.replace(data, kind=current["kind"])
        errors = await _check_organisation(data, org_id)
        if errors:
            return errors
        values = _organisation_values(data)
        old, new = audit.changed_fields(
            _logged({k: current[k] for k in values}),
            _logged(values),
        )
        if not new and not old:
            return {}
        await Organisation.update(values).where(Organisation.id == org_id)  # type: ignore[arg-type]  # column names, as above
        await audit.record(
            actor=actor,
            action="update",
            entity="organisation",
            entity_id=org_id,
            summary=f"{values['name']} changed: {', '.join(sorted(set(old) | set(new)))}",
            before=old,
            after=new,
            client=client,
        )
    return {}


class LinkRow(msgspec.Struct):
    id: int
    la_id: int
    la_name: str
    icb_id: int
    icb_name: str
    valid_from: dt.date | None
    valid_to: dt.date | None


async def links_of(org_id: int) -> list[LinkRow]:
    rows = await LaIcbLink.select(
        LaIcbLink.id,
        LaIcbLink.local_authority.as_alias("la_id"),
        LaIcbLink.local_authority.name.as_alias("la_name"),
        LaIcbLink.icb.as_alias("icb_id"),
        LaIcbLink.icb.name.as_alias("icb_name"),
        LaIcbLink.valid_from,
        LaIcbLink.valid_to,
    ).where((LaIcbLink.local_authority == org_id) | (LaIcbLink.icb == org_id))
    found = [msgspec.convert(r, LinkRow) for r in rows]
    return sorted(found, key=lambda r: (r.valid_from or dt.date.min, r.id))


async def add_link(
    la_id: int,
    icb_id: int | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    *,
    actor: CurrentUser | None,
    client: str = "",
) -> dict[str, str]:
    """Link an LA to an ICB for a span of days; two links to the same ICB may not overlap."""
    errors: dict[str, str] = {}
    icb = (
        await Organisation.select(Organisation.name, Organisation.kind)
        .where(Organisation.id == icb_id)
        .first()
        if icb_id is not None and 0 < icb_id < 2**31
        else None
    )
    if icb is None or icb["kind"] != "icb":
        errors["link_icb"] = "Select the integrated care board"
    if valid_from and valid_to and valid_to < valid_from:
        errors["link_to"] = "The last day must be the same as or after the first day"
    if errors:
        return errors
    assert icb_id is not None and icb is not None
    async with transaction():
        for other in await links_of(la_id):
            if other.la_id != la_id or other.icb_id != icb_id:
                continue
            if (valid_to is None or other.valid_from is None or other.valid_from <= valid_to) and (
                other.valid_to is None or valid_from is None or valid_from <= other.valid_to
            ):
                return {
                    "link_from": f"This council is already linked to {icb['name']} for some of these days"
                }
        link_id = await link_la_to_icb(la_id, icb_id, valid_from=valid_from, valid_to=valid_to)
        await audit.record(
            actor=actor,
            action="create",
            entity="la_icb_link",
            entity_id=link_id,
            summary=f"Linked to {icb['name']}" + _span(valid_from, valid_to),
            after={
                "local_authority": la_id,
                "icb": icb_id,
                **_logged({"valid_from": valid_from, "valid_to": valid_to}),
            },
            client=client,
        )
    return {}


def _span(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    if valid_from and valid_to:
        return f" from {_long_date(valid_from)} to {_long_date(valid_to)}"
    if valid_from:
        return f" from {_long_date(valid_from)}"
    if valid_to:
        return f" until {_long_date(valid_to)}"
    return ""


async def end_link(
    la_id: int, link_id: int, valid_to: dt.date | None, *, actor: CurrentUser | None, client: str = ""
) -> dict[str, str] | None:
    """Set the last day of an LA-ICB link (the link stays, as history); None if there is no such link."""
    async with transaction():
        row = (
            await LaIcbLink.select(
                LaIcbLink.id,
                LaIcbLink.valid_from,
                LaIcbLink.valid_to,
                LaIcbLink.icb.name.as_alias("icb_name"),
            )
            .where((LaIcbLink.id == link_id) & (LaIcbLink.local_authority == la_id))
            .first()
            if 0 < link_id < 2**31
            else None
        )
        if row is None:
            return None
        if valid_to is None:
            return {f"end-{link_id}": "Enter the last day of the link"}
        if row["valid_from"] and valid_to < row["valid_from"]:
            return {
                f"end-{link_id}": "The last day must be on or after "
                f"{_long_date(row['valid_from'])}, the link's first day"
            }
        await LaIcbLink.update({LaIcbLink.valid_to: valid_to}).where(LaIcbLink.id == link_id)
        await audit.record(
            actor=actor,
            action="update",
            entity="la_icb_link",
            entity_id=link_id,
            summary=f"Link to {row['icb_name']} ends on {_long_date(valid_to)}",
            before=_logged({"valid_to": row["valid_to"]}),
            after=_logged({"valid_to": valid_to}),
            client=client,
        )
    return {}
