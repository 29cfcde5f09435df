"""Lodging through the API: a family for itself, or LA staff for a family who wrote, phoned or emailed.
The same `create_case` as the family's journey, with the same checks, and lodged at most once per
Idempotency-Key."""

from __future__ import annotations

import secrets

from mediation import access, timekeeping
from mediation.accounts.passwords import NO_PASSWORD
from mediation.accounts.service import normalise_email
from mediation.accounts.tables import Account
from mediation.cases.commands import AlreadyLodged, Matter, NewCase, create_case
from mediation.cases.contact import ContactDetails, check_contact
from mediation.cases.model import Disagreement
from mediation.cases.repository import case_for_idempotency_key, load_case
from mediation.cases.schemas import LodgeRequest
from mediation.db import transaction
from mediation.errors import Invalid, Refused
from mediation.identity import CurrentUser
from mediation.lodging.questions import age_on
from mediation.organisations.tables import Organisation, OrganisationKind
from mediation.rules.routing import DECISION_LABELS, SECTION_LABELS


async def _local_authority(code: str) -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where(
            (Organisation.code == code.strip().upper())
            & (Organisation.kind == OrganisationKind.local_authority.value)
            & Organisation.active.eq(True)
        )
        .first()
    )
    if row is None:
        raise Invalid(f"local_authority: no local authority has the code {code!r}", field="local_authority")
    return int(row["id"])


def _check(data: LodgeRequest, user: CurrentUser) -> None:
    errors: dict[str, str] = {}
    today = timekeeping.today()
    if data.decision not in DECISION_LABELS:
        errors["decision"] = f"decision must be one of {', '.join(DECISION_LABELS)}"
    unknown = sorted({*data.sections, *(m.section for m in data.matters)} - set(SECTION_LABELS))
    if unknown:
        errors["sections"] = f"unknown section {unknown[0]!r}; expected one of {', '.join(SECTION_LABELS)}"
    born, sent = data.child.date_of_birth, data.decision_notice_sent
    if sent > today:
        errors["decision_notice_sent"] = "decision_notice_sent must be today or in the past"
    if born > sent:
        errors["child"] = "child.date_of_birth must be before the decision notice"
    elif age_on(born, sent) > 25:
        errors["child"] = "the young person must have been 25 or under on the date of the decision"
    elif data.lodged_by == "young_person" and age_on(born, sent) < 16:
        errors["child"] = "a young person lodging for themselves must have been 16 or over on that date"
    if data.received_on is not None:
        if data.received_on > today:
            errors["received_on"] = "received_on must be today or in the past"
        elif data.received_on < sent:
            errors["received_on"] = "received_on cannot be before decision_notice_sent"
    if user.role == access.LA:
        if data.family is None:
            errors["family"] = "family is required when the local authority lodges for a family"
        elif not (data.family.email.strip() or data.family.postal_address.strip()):
            errors["family"] = "family needs an email or a postal_address so they can be told what happens"
    elif data.family is not None:
        errors["family"] = "family is given only when the local authority lodges for a family"
    if errors:
        raise Invalid(errors)


async def _family_account(user: CurrentUser, data: LodgeRequest) -> tuple[int, str]:
    """The family's account: the caller itself, or, for LA staff, the account with the family's email
    (made for them, without a password, if they have none: they register with that email to sign in)."""
    if user.role == access.FAMILY:
        return user.id, user.full_name
    assert data.family is not None
    email = normalise_email(data.family.email) if data.family.email.strip() else ""
    if email:
        found = await _account_with(email)
        if found is not None:
            return found, data.family.name
    account = Account(
        email=email or f"no-email+{secrets.token_hex(8)}@send-mediation.invalid",
        password_hash=NO_PASSWORD,
        full_name=data.family.name.strip(),
        role=access.FAMILY,
        email_confirmed=False,
        active=True,
        created_at=timekeeping.now(),
    )
    # Two lodgings for the same new family at once (a council's case system sending in parallel) both
    # find no account: the second's insert does nothing, waits for the first, and then reads its account,
    # where a plain insert raised a unique violation (a 500) and lost that case.
    made = (
        await Account.insert(account)
        .on_conflict(target=Account.email, action="DO NOTHING")
        .returning(Account.id)
    )
    if made:
        return int(made[0]["id"]), data.family.name
    found = await _account_with(account.email)
    assert found is not None  # the conflicting row is committed: the insert waited for it
    return found, data.family.name


async def _account_with(email: str) -> int | None:
    found = await Account.select(Account.id, Account.role).where(Account.email == email).first()
    if found is None:
        return None
    if found["role"] != access.FAMILY:
        raise Invalid("family.email belongs to a staff account", field="family")
    return int(found["id"])


async def lodge_from_api(
    user: CurrentUser, data: LodgeRequest, *, idempotency_key: str | None, body_hash: str
) -> tuple[Disagreement, bool]:
    """The case, and whether it was already lodged by an earlier request with the same Idempotency-Key."""
    if not access.role_may(user, "lodge_by_api"):
        raise Refused(access.refusal("lodge_by_api"))
    if idempotency_key is not None:
        earlier = await case_for_idempotency_key(user.id, idempotency_key)
        if earlier is not None:
            return await _replay(earlier, body_hash), True
    _check(data, user)
    contact = _contact(data, user)
    la_id = await _local_authority(data.local_authority)
    if user.role == access.LA and la_id != user.organisation_id:
        raise Refused("You can lodge a disagreement only with your own local authority")
    try:
        async with transaction():
            family_id, _ = await _family_account(user, data)
            case = await create_case(
                _new_case(data, family_id, la_id, contact, idempotency_key, body_hash), actor=user
            )
        return case, False
    except AlreadyLodged as already:  # the same key sent twice at once: the other request won
        first = await already.first_case()
        earlier = await case_for_idempotency_key(user.id, idempotency_key or "")
        return await _replay((first.id, earlier[1] if earlier else body_hash), body_hash), True


def _contact(data: LodgeRequest, user: CurrentUser) -> ContactDetails:
    """The family's contact details from `family` (LA staff) or `contact` (a family for itself), checked
    as the lodging page checks them; errors name the API's fields."""
    given = data.family if data.family is not None else data.contact
    prefix = "family" if data.family is not None else "contact"
    if data.family is None and data.contact is not None and user.role != access.FAMILY:
        raise Invalid("contact is given only by a family lodging for itself", field="contact")
    email = (given.email if given else "").strip() or (user.email if data.family is None else "")
    address = given.postal_address.strip() if given else ""
    preferred = given.preferred_contact if given else None
    contact, errors = check_contact(
        {
            "contact_by": preferred or ("email" if email else "post"),
            "contact_email": email,
            "contact_phone": given.phone if given else "",
            "postal_address": address,
            "large_print": bool(given and given.large_print),
        }
    )
    if contact is None:
        names = {"contact_email": "email", "contact_phone": "phone", "postal_address": "postal_address"}
        raise Invalid(
            {
                f"{prefix}.{names.get(field, 'preferred_contact')}": message
                for field, message in errors.items()
            }
        )
    return contact


def _new_case(
    data: LodgeRequest,
    family_id: int,
    la_id: int,
    contact: ContactDetails,
    idempotency_key: str | None,
    body_hash: str,
) -> NewCase:
    return NewCase(
        family_id=family_id,
        local_authority_id=la_id,
        child_name=data.child.name.strip(),
        child_date_of_birth=data.child.date_of_birth,
        decision=data.decision,
        decision_notice_sent=data.decision_notice_sent,
        sections=list(data.sections),
        matters=[Matter(m.section, m.disagreement.strip(), m.wanted.strip()) for m in data.matters],
        lodged_by=data.lodged_by,
        wants_mediation=None if data.decision == "disability_discrimination" else data.wants_mediation,
        health_provision_sought=data.health_provision_sought.strip(),
        contact_by=contact.contact_by,
        contact_email=contact.email,
        contact_phone=contact.phone,
        postal_address=contact.postal_address,
        large_print=contact.large_print,
        received_on=data.received_on,
        idempotency_key=idempotency_key,
        idempotency_hash=body_hash,
    )


async def _replay(earlier: tuple[int, str], body_hash: str) -> Disagreement:
    case_id, first_hash = earlier
    if first_hash and first_hash != body_hash:
        raise Invalid(
            "Idempotency-Key was already used with a different request: use a new key for a new case",
            field="idempotency_key",
        )
    return await load_case(case_id)
