"""Accounts: signing in (rate-limited across processes), loading the current user, staff accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mediation.accounts import throttle
from mediation.accounts.errors import AccountError, SignInError, Throttled
from mediation.accounts.passwords import hash_password_off_loop, password_problem, verify_password_off_loop
from mediation.accounts.tables import ROLE_LABELS as ROLE_LABELS  # the pages read role names from here
from mediation.accounts.tables import Account, Role, SignInAttempt
from mediation.audit import service as audit
from mediation.db_typing import Condition
from mediation.identity import CurrentUser
from mediation.organisations.service import KIND_NOUNS
from mediation.organisations.tables import Organisation, OrganisationKind

# Which kind of organisation each staff role must belong to.
ROLE_ORGANISATION_KIND: dict[str, str | None] = {
    Role.family.value: None,
    Role.la_coordinator.value: OrganisationKind.local_authority.value,
    Role.health_commissioner.value: OrganisationKind.icb.value,
    Role.mediator.value: OrganisationKind.mediation_service.value,
    Role.admin.value: None,
}


EMAIL_TAKEN = "An account with this email address already exists"
EMAIL_MAX_LENGTH = 254  # Account.email
NAME_MAX_LENGTH = 200  # Account.full_name


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def account_id_for(email: str) -> int | None:
    """The id of the account with this email address (as typed: it is normalised here), if there is one."""
    row = await Account.select(Account.id).where(Account.email == normalise_email(email)).first()
    return None if row is None else int(row["id"])


def user_columns(account: Any) -> list[Any]:
    """What a CurrentUser is read from, for `Account` or a foreign key to it (`ApiToken.account`)."""
    return [
        account.id.as_alias("user_id"),
        account.email.as_alias("user_email"),
        account.full_name.as_alias("user_full_name"),
        account.role.as_alias("user_role"),
        account.organisation.as_alias("user_organisation"),
        account.organisation.name.as_alias("user_organisation_name"),
        account.must_change_password.as_alias("user_must_change_password"),
    ]


def user_from(row: dict[str, Any]) -> CurrentUser:
    return CurrentUser(
        id=row["user_id"],
        email=row["user_email"],
        full_name=row["user_full_name"],
        role=row["user_role"],
        organisation_id=row["user_organisation"],
        organisation_name=row["user_organisation_name"],
        must_change_password=bool(row["user_must_change_password"]),
    )


async def load_user(account_id: int, *, session_epoch: int | None = None) -> CurrentUser | None:
    """The active account as the signed-in person; with `session_epoch` (a session's), only if no
    password change or reset has ended that session's generation since."""
    where = (Account.id == account_id) & (Account.active.eq(True))
    if session_epoch is not None:
        where &= Account.session_epoch == session_epoch
    row = await Account.select(*user_columns(Account)).where(where).first()
    return None if row is None else user_from(row)


async def sign_in(email: str, password: str, client: str) -> CurrentUser:
    """Check the password, if the throttle lets this attempt through (`accounts/throttle.py`).

    Unknown addresses take the same path (a dummy hash is verified, the same counters move), so neither
    the answer nor its timing says whether an account exists.
    """
    email = normalise_email(email)
    client = client[:64]
    claimed = await throttle.claim(email, client)
    if not claimed.allowed:
        raise Throttled(
            f"Too many failed attempts. Wait {throttle.wait_words(claimed.wait_seconds)} and try again.",
            retry_after=claimed.wait_seconds,
        )
    row = (
        await Account.select(Account.id, Account.password_hash, Account.active, Account.email_confirmed)
        .where(Account.email == email)
        .first()
    )
    verified = await verify_password_off_loop(row["password_hash"] if row else None, password)
    ok = verified and bool(row and row["active"])
    now = dt.datetime.now(dt.UTC)
    log_email = email[:EMAIL_MAX_LENGTH]  # no account has a longer one; the log column holds no more
    await SignInAttempt.insert(SignInAttempt(email=log_email, client=client, succeeded=ok, at=now))
    if not ok or row is None:
        raise SignInError("Enter a correct email address and password")
    await throttle.give_back(claimed)
    if not row["email_confirmed"]:
        # Said only after the password is right, so it reveals nothing to someone guessing.
        raise SignInError(
            "Confirm your email address using the link we sent you, then sign in", unconfirmed=True
        )
    await Account.update({Account.last_sign_in_at: now}).where(Account.id == row["id"])
    user = await load_user(row["id"])
    assert user is not None
    await audit.record(actor=user, action="sign_in", entity="account", entity_id=user.id, client=client)
    return user


@dataclass
class NewAccount:
    email: str
    full_name: str
    role: str
    password: str
    organisation_id: int | None = None
    family_relationship: str | None = None
    email_confirmed: bool = False
    # An admin gave a temporary password: the person must choose their own at their first sign-in.
    must_change_password: bool = False


async def account_field_errors(
    email: str, full_name: str, role: str, organisation_id: int | None, *, account_id: int | None = None
) -> dict[str, str]:
    """The checks of an account's email, name, role and organisation, for a new account or for an admin
    editing one (`account_id`: its own address is not "taken")."""
    errors: dict[str, str] = {}
    email = normalise_email(email)
    taken: Condition = Account.email == email
    if account_id is not None:
        taken = taken & (Account.id != account_id)
    if not email:
        errors["email"] = "Enter an email address"
    elif len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer"
    elif "@" not in email or "." not in email.split("@")[-1] or " " in email:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif await Account.exists().where(taken):
        errors["email"] = EMAIL_TAKEN
    if not full_name.strip():
        errors["full_name"] = "Enter the person's full name"
    elif len(full_name.strip()) > NAME_MAX_LENGTH:
        errors["full_name"] = f"Full name must be {NAME_MAX_LENGTH} characters or fewer"
    if role not in ROLE_ORGANISATION_KIND:
        errors["role"] = "Select a role"
    else:
        kind = ROLE_ORGANISATION_KIND[role]
        if kind is None and organisation_id is not None and role == Role.family.value:
            errors["organisation"] = "Family accounts do not belong to an organisation"
        if kind is not None:
            org_id = organisation_id or 0
            org = (
                # An id no integer column can hold names no organisation (and must not reach PostgreSQL).
                await Organisation.select(Organisation.kind).where(Organisation.id == org_id).first()
                if 0 < org_id < 2**31
                else None
            )
            if org is None or org["kind"] != kind:
                errors["organisation"] = f"Select the {KIND_NOUNS[kind]} this person works for"
    return errors


async def validate_new_account(data: NewAccount) -> dict[str, str]:
    email = normalise_email(data.email)
    errors = await account_field_errors(data.email, data.full_name, data.role, data.organisation_id)
    problem = password_problem(data.password, email=email, full_name=data.full_name)
    if problem:
        errors["password"] = problem
    return errors


async def create_account(
    data: NewAccount, *, actor: CurrentUser | None, client: str = "", password_hash: str | None = None
) -> int:
    """Validate and create an account. `password_hash` is the password already hashed by a caller that
    had to hash it anyway (registration, which hashes on every path); otherwise it is hashed here."""
    errors = await validate_new_account(data)
    if errors:
        raise AccountError(errors)
    row = Account(
        email=normalise_email(data.email),
        password_hash=password_hash or await hash_password_off_loop(data.password),
        full_name=data.full_name.strip(),
        role=data.role,
        organisation=data.organisation_id if ROLE_ORGANISATION_KIND.get(data.role) else None,
        family_relationship=data.family_relationship,
        email_confirmed=data.email_confirmed,
        must_change_password=data.must_change_password,
        created_at=dt.datetime.now(dt.UTC),
    )
    await row.save()
    await audit.record(
        actor=actor,
        action="create",
        entity="account",
        entity_id=row.id,
        summary=f"Account created for {row.email} as {row.role}",
        after={
            "email": row.email,
            "full_name": row.full_name,
            "role": row.role,
            "organisation": row.organisation,
        },
        client=client,
    )
    return int(row.id)


async def staff_accounts() -> list[dict[str, Any]]:
    """Every account but families', by role then name, with its organisation's name (the admin list)."""
    return (
        await Account.select(
            Account.id,
            Account.email,
            Account.full_name,
            Account.role,
            Account.active,
            Account.organisation.name.as_alias("organisation_name"),
        )
        .where(Account.role != Role.family.value)
        .order_by(Account.role)
        .order_by(Account.full_name)
    )
