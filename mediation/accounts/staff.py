"""Admins edit, disable and re-enable staff accounts (families manage their own).

Disabling ends the person's sessions and revokes their API tokens at once; re-enabling lets them sign
in again but brings no token back. An admin cannot disable themselves or take away their own admin
role, and the last active admin always stays one, so the service is never left without an administrator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar.stores.base import Store

from mediation import db
from mediation.accounts.service import ROLE_ORGANISATION_KIND, account_field_errors, normalise_email
from mediation.accounts.tables import Account, ApiToken, Role
from mediation.audit import service as audit
from mediation.errors import Conflict, Invalid, NotFound
from mediation.identity import CurrentUser

MAX_ID = 2**31 - 1


class StaffAccount(msgspec.Struct, frozen=True):
    id: int
    email: str
    full_name: str
    role: str
    organisation_id: int | None
    organisation_name: str | None
    active: bool
    last_sign_in_at: dt.datetime | None


async def get_staff(account_id: int) -> StaffAccount:
    """A staff account; NotFound for a family's (admins do not manage those) or a missing one."""
    row = (
        await Account.select(
            Account.id,
            Account.email,
            Account.full_name,
            Account.role,
            Account.organisation.as_alias("organisation_id"),
            Account.organisation.name.as_alias("organisation_name"),
            Account.active,
            Account.last_sign_in_at,
        )
        .where((Account.id == account_id) & (Account.role != Role.family.value))
        .first()
        if 0 < account_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound("There is no staff account with this id")
    return msgspec.convert(row, StaffAccount)


async def _other_active_admins(account_id: int) -> int:
    return await Account.count().where(
        (Account.role == Role.admin.value) & Account.active.eq(True) & (Account.id != account_id)
    )


async def edit_staff(
    account_id: int,
    *,
    full_name: str,
    email: str,
    role: str,
    organisation_id: int | None,
    actor: CurrentUser,
    client: str = "",
) -> StaffAccount:
    """Change a staff account's name, email, role and organisation; Invalid with field errors."""
    async with db.transaction():
        current = await get_staff(account_id)
        address, name = normalise_email(email), full_name.strip()
        errors = await account_field_errors(email, full_name, role, organisation_id, account_id=account_id)
        if role == Role.family.value:
            errors["role"] = "Select the person's role"
        kind = ROLE_ORGANISATION_KIND.get(role)
        if current.role == Role.admin.value and role != Role.admin.value and "role" not in errors:
            if account_id == actor.id:
                errors["role"] = "You cannot take away your own administrator role"
            elif current.active and not await _other_active_admins(account_id):
                errors["role"] = "This is the last active administrator: make someone else one first"
        if errors:
            raise Invalid(errors)
        values: dict[str, Any] = {
            "full_name": name,
            "email": address,
            "role": role,
            "organisation": organisation_id if kind is not None else None,
        }
        before = {
            "full_name": current.full_name,
            "email": current.email,
            "role": current.role,
            "organisation": current.organisation_id,
        }
        old, new = audit.changed_fields(before, values)
        if new:
            await Account.update({getattr(Account, k): v for k, v in values.items()}).where(
                Account.id == account_id
            )
            await audit.record(
                actor=actor,
                action="update",
                entity="account",
                entity_id=account_id,
                summary=f"Staff account {address} changed: {', '.join(sorted(new))}",
                before=old,
                after=new,
                client=client,
            )
    return await get_staff(account_id)


async def disable_staff(
    account_id: int, *, actor: CurrentUser, client: str = "", store: Store | None = None
) -> StaffAccount:
    """Disable the account: it cannot sign in, its sessions end and its API tokens are revoked, at once."""
    from mediation.web.sessions import end_sessions_of

    async with db.transaction():
        current = await get_staff(account_id)
        if account_id == actor.id:
            raise Conflict("You cannot disable your own account", field="account")
        if not current.active:
            return current
        if current.role == Role.admin.value and not await _other_active_admins(account_id):
            raise Conflict(
                "This is the last active administrator: make someone else one before disabling it",
                field="account",
            )
        now = dt.datetime.now(dt.UTC)  # tokens and sessions keep the wall clock (docs/DEVELOPING.md)
        await Account.update({Account.active: False}).where(Account.id == account_id)
        revoked = (
            await ApiToken.update({ApiToken.revoked_at: now})
            .where((ApiToken.account == account_id) & ApiToken.revoked_at.is_null())
            .returning(ApiToken.prefix)
        )
        await audit.record(
            actor=actor,
            action="disable",
            entity="account",
            entity_id=account_id,
            summary=f"Staff account {current.email} disabled"
            + (f"; {len(revoked)} API token(s) revoked" if revoked else ""),
            before={"active": True},
            after={"active": False, "revoked_tokens": [r["prefix"] for r in revoked]},
            client=client,
        )
    # After the commit: a request racing the disable is refused by load_user (the account is inactive).
    await end_sessions_of(account_id, store)
    return await get_staff(account_id)


async def enable_staff(account_id: int, *, actor: CurrentUser, client: str = "") -> StaffAccount:
    """Let the person sign in again; their revoked API tokens stay revoked."""
    async with db.transaction():
        current = await get_staff(account_id)
        if current.active:
            return current
        await Account.update({Account.active: True}).where(Account.id == account_id)
        await audit.record(
            actor=actor,
            action="enable",
            entity="account",
            entity_id=account_id,
            summary=f"Staff account {current.email} enabled again (its API tokens stay revoked)",
            before={"active": False},
            after={"active": True},
            client=client,
        )
    return await get_staff(account_id)
