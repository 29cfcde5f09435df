"""API tokens: `Authorization: Bearer <token>` acts as one account, with its role and access.

A token is 32 random bytes behind a recognisable `smt_` prefix. Only its SHA-256 digest is stored (the
token has far more entropy than a password, so a slow hash would add nothing); lookups compare digests.
The plain token is returned once, when it is made, and never again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

import msgspec

from mediation import db, query_building
from mediation.accounts.errors import ApiTokenError
from mediation.accounts.service import normalise_email, user_columns, user_from
from mediation.accounts.tables import Account, ApiToken
from mediation.audit import service as audit
from mediation.identity import CurrentUser

TOKEN_PREFIX = "smt_"
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6  # "smt_" and 6 of the ~43 random characters
# last_used_at is a hint for admins, not a log: write it at most this often per token.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_ID = 2**31 - 1  # Serial is a 4-byte integer on PostgreSQL


class NewApiToken(msgspec.Struct, frozen=True):
    id: int
    account_id: int
    email: str
    name: str
    prefix: str
    token: str  # the only time the plain token exists outside the caller's hands


class ApiTokenAuth(msgspec.Struct, frozen=True):
    """What a request authenticated by a token carries in `scope["auth"]`, with the person it acts as
    (read in the same query as the token)."""

    token_id: int
    account_id: int
    user: CurrentUser


class ApiTokenSummary(msgspec.Struct, frozen=True):
    id: int
    account_email: str
    account_role: str
    account_active: bool
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    created_by_email: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def create_token(
    email: str, *, name: str = "", actor: CurrentUser | None = None, client: str = ""
) -> NewApiToken:
    """A new token for the account with this email; ApiTokenError if there is no such active account."""
    address = normalise_email(email)
    account = await Account.select(Account.id, Account.active).where(Account.email == address).first()
    if account is None:
        raise ApiTokenError(f"There is no account with the email address {address}")
    if not account["active"]:
        raise ApiTokenError(f"The account {address} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    label = name.strip()[:100] or f"API token for {address}"
    row = ApiToken(
        account=account["id"],
        name=label,
        token_digest=digest(token),
        prefix=token[:DISPLAY_PREFIX_LENGTH],
        created_at=_now(),
        created_by=actor.id if actor else None,
    )
    async with db.transaction():
        await row.save()
        await audit.record(
            actor=actor,
            action="create",
            entity="api_token",
            entity_id=row.id,
            summary=f"API token {row.prefix}… ({label}) created for {address}",
            after={"account": address, "name": label, "prefix": row.prefix},
            client=client,
        )
    return NewApiToken(
        id=int(row.id),
        account_id=int(account["id"]),
        email=address,
        name=label,
        prefix=row.prefix,
        token=token,
    )


@functools.cache
def _authenticate_columns() -> tuple[Any, ...]:
    """Made once: naming columns through a foreign key (`ApiToken.account.email`) copies the column
    objects along the way, which cost more CPU than the whole query (issue 17)."""
    return (
        ApiToken.id,
        ApiToken.account,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
        ApiToken.account.active.as_alias("account_active"),
        *user_columns(ApiToken.account),
    )


async def authenticate(token: str) -> ApiTokenAuth | None:
    """The token's account if the token exists, is not revoked and its account is active; otherwise None.
    One query reads the token and the person together (a bearer request made two before)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = await query_building.built_once(
        "api token and its account",
        ApiToken.select(*_authenticate_columns()).where(ApiToken.token_digest == digest(token)).first(),
    )
    if row is None or row["revoked_at"] is not None or not row["account_active"]:
        return None
    now = _now()
    last_used = row["last_used_at"]
    if last_used is not None and last_used.tzinfo is None:
        last_used = last_used.replace(tzinfo=dt.UTC)
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        stale = now - LAST_USED_RESOLUTION
        # Conditional, so processes racing on the same token write once between them.
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            (ApiToken.id == row["id"]) & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < stale))
        )
    return ApiTokenAuth(token_id=int(row["id"]), account_id=int(row["account"]), user=user_from(row))


def _summaries():
    return ApiToken.select(
        ApiToken.id,
        ApiToken.account.email.as_alias("account_email"),
        ApiToken.account.role.as_alias("account_role"),
        ApiToken.account.active.as_alias("account_active"),
        ApiToken.name,
        ApiToken.prefix,
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
        ApiToken.created_by.email.as_alias("created_by_email"),
    )


async def list_tokens() -> list[ApiTokenSummary]:
    """Every token, active first, newest first (for admins: nothing here can be used to authenticate)."""
    rows = await _summaries().order_by(ApiToken.id, ascending=False)
    tokens = [msgspec.convert(row, ApiTokenSummary) for row in rows]
    return sorted(tokens, key=lambda t: t.revoked_at is not None)


async def get_token(token_id: int) -> ApiTokenSummary | None:
    if not 0 < token_id <= MAX_ID:
        return None
    row = await _summaries().where(ApiToken.id == token_id).first()
    return None if row is None else msgspec.convert(row, ApiTokenSummary)


async def revoke_token(
    token_id: int, *, actor: CurrentUser | None, client: str = ""
) -> ApiTokenSummary | None:
    """Revoke the token (already revoked: left as it was); None if there is no such token."""
    if not 0 < token_id <= MAX_ID:  # an id PostgreSQL's integer cannot hold is simply not found
        return None
    async with db.transaction():
        row = (
            await ApiToken.select(
                ApiToken.id,
                ApiToken.prefix,
                ApiToken.name,
                ApiToken.revoked_at,
                ApiToken.account.email.as_alias("account_email"),
            )
            .where(ApiToken.id == token_id)
            .first()
        )
        if row is None:
            return None
        if row["revoked_at"] is None:
            now = _now()
            await ApiToken.update({ApiToken.revoked_at: now}).where(ApiToken.id == token_id)
            await audit.record(
                actor=actor,
                action="revoke",
                entity="api_token",
                entity_id=token_id,
                summary=f"API token {row['prefix']}… ({row['name']}) for {row['account_email']} revoked",
                before={"revoked_at": None},
                after={"revoked_at": now.isoformat()},
                client=client,
            )
    return await get_token(token_id)
