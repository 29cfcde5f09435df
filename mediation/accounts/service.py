"""Accounts: signing in (rate-limited across processes), loading the current user, staff accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mediation.accounts.passwords import hash_password, password_problem, verify_password
from mediation.accounts.tables import Account, Role, SignInAttempt
from mediation.audit import service as audit
from mediation.identity import CurrentUser
from mediation.organisations.tables import Organisation, OrganisationKind
from mediation.settings import settings

# Which kind of organisation each staff role must belong to.
ROLE_ORGANISATION_KIND: dict[str, str | None] = {
    Role.family.value: None,
    Role.la_coordinator.value: OrganisationKind.local_authority.value,
    Role.health_commissioner.value: OrganisationKind.icb.value,
    Role.mediator.value: OrganisationKind.mediation_service.value,
    Role.admin.value: None,
}


class SignInError(Exception):
    def __init__(self, message: str, *, throttled: bool = False, unconfirmed: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.throttled = throttled
        self.unconfirmed = unconfirmed


class AccountError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def load_user(account_id: int) -> CurrentUser | None:
    rows = (
        await Account.select(
            Account.id,
            Account.email,
            Account.full_name,
            Account.role,
            Account.organisation,
            Account.organisation.name.as_alias("organisation_name"),
        )
        .where((Account.id == account_id) & (Account.active.eq(True)))
        .first()
    )
    if rows is None:
        return None
    return CurrentUser(
        id=rows["id"],
        email=rows["email"],
        full_name=rows["full_name"],
        role=rows["role"],
        organisation_id=rows["organisation"],
        organisation_name=rows["organisation_name"],
    )


async def _recent_failures(email: str, client: str) -> tuple[int, int]:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.login_window_minutes)
    by_email = await SignInAttempt.count().where(
        (SignInAttempt.email == email) & (SignInAttempt.succeeded.eq(False)) & (SignInAttempt.at > since)
    )
    by_client = await SignInAttempt.count().where(
        (SignInAttempt.client == client) & (SignInAttempt.succeeded.eq(False)) & (SignInAttempt.at > since)
    )
    return by_email, by_client


async def sign_in(email: str, password: str, client: str) -> CurrentUser:
    email = normalise_email(email)
    by_email, by_client = await _recent_failures(email, client)
    # Per account and per client address, so neither guessing one password nor spraying many gets far.
    if by_email >= settings.login_max_failures or by_client >= settings.login_max_failures * 4:
        raise SignInError(
            f"Too many failed attempts. Wait {settings.login_window_minutes} minutes and try again.",
            throttled=True,
        )
    row = (
        await Account.select(Account.id, Account.password_hash, Account.active, Account.email_confirmed)
        .where(Account.email == email)
        .first()
    )
    ok = verify_password(row["password_hash"] if row else None, password) and bool(row and row["active"])
    now = dt.datetime.now(dt.UTC)
    await SignInAttempt.insert(SignInAttempt(email=email, client=client[:64], succeeded=ok, at=now))
    if not ok or row is None:
        raise SignInError("Enter a correct email address and password")
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


async def validate_new_account(data: NewAccount) -> dict[str, str]:
    errors: dict[str, str] = {}
    email = normalise_email(data.email)
    if not email:
        errors["email"] = "Enter an email address"
    elif "@" not in email or "." not in email.split("@")[-1] or " " in email:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    elif await Account.exists().where(Account.email == email):
        errors["email"] = "An account with this email address already exists"
    if not data.full_name.strip():
        errors["full_name"] = "Enter the person's full name"
    if data.role not in ROLE_ORGANISATION_KIND:
        errors["role"] = "Select a role"
    else:
        kind = ROLE_ORGANISATION_KIND[data.role]
        if kind is None and data.organisation_id is not None and data.role == Role.family.value:
            errors["organisation"] = "Family accounts do not belong to an organisation"
        if kind is not None:
            org = (
                await Organisation.select(Organisation.kind)
                .where(Organisation.id == (data.organisation_id or 0))
                .first()
            )
            if org is None or org["kind"] != kind:
                errors["organisation"] = f"Select the {kind.replace('_', ' ')} this person works for"
    problem = password_problem(data.password)
    if problem:
        errors["password"] = problem
    return errors


async def create_account(data: NewAccount, *, actor: CurrentUser | None, client: str = "") -> int:
    errors = await validate_new_account(data)
    if errors:
        raise AccountError(errors)
    row = Account(
        email=normalise_email(data.email),
        password_hash=hash_password(data.password),
        full_name=data.full_name.strip(),
        role=data.role,
        organisation=data.organisation_id if ROLE_ORGANISATION_KIND.get(data.role) else None,
        family_relationship=data.family_relationship,
        email_confirmed=data.email_confirmed,
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
