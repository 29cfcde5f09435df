"""Families register themselves; a signed, expiring link confirms their email address."""

from __future__ import annotations

import datetime as dt

from mediation.accounts.service import NewAccount, create_account, normalise_email, validate_new_account
from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token, read_token
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.notify.service import queue_email

PURPOSE = "confirm-email"
LINK_HOURS = 48


async def _send_link(account_id: int, email: str, name: str, base_url: str) -> None:
    token = make_token(PURPOSE, f"{account_id}:{email}", valid_for_seconds=LINK_HOURS * 3600)
    hour = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H")
    await queue_email(
        to=email,
        name=name,
        subject="Confirm your email address",
        body_text=(
            f"Dear {name},\n\nConfirm your email address to finish creating your account:\n"
            f"{base_url}/confirm-email/{token}\n\nThe link works for {LINK_HOURS} hours. "
            "If you did not ask for an account, ignore this email."
        ),
        # At most one link an hour per account, so the form cannot be used to flood an inbox.
        dedupe_key=f"confirm:{account_id}:{hour}",
    )


async def register(values: dict[str, str], base_url: str) -> dict[str, str]:
    """Create an unconfirmed family account and send the link. Returns field errors (none when done).

    An address that already has an account gets a reminder instead, and the page says the same
    either way, so the form does not reveal who has an account.
    """
    errors: dict[str, str] = {}
    if values.get("password", "") != values.get("confirm_password", ""):
        errors["confirm_password"] = "The passwords do not match"
    new = NewAccount(
        email=values.get("email", ""),
        full_name=values.get("full_name", ""),
        role="family",
        password=values.get("password", ""),
    )
    problems = await validate_new_account(new)
    existing = problems.get("email") == "An account with this email address already exists"
    if existing:
        del problems["email"]
    errors.update(problems)
    if errors:
        return errors
    email = normalise_email(new.email)
    async with transaction():
        if existing:
            row = (
                await Account.select(Account.id, Account.full_name, Account.email_confirmed)
                .where(Account.email == email)
                .first()
            )
            if row and not row["email_confirmed"]:
                await _send_link(row["id"], email, row["full_name"], base_url)
            return {}
        account_id = await create_account(new, actor=None)
        await _send_link(account_id, email, new.full_name.strip(), base_url)
    return {}


async def resend(email: str, base_url: str) -> None:
    email = normalise_email(email)
    row = (
        await Account.select(Account.id, Account.full_name, Account.email_confirmed)
        .where((Account.email == email) & (Account.role == "family"))
        .first()
    )
    if row and not row["email_confirmed"]:
        await _send_link(row["id"], email, row["full_name"], base_url)


async def confirm(token: str) -> bool:
    subject = read_token(PURPOSE, token)
    if subject is None:
        return False
    account_id_text, email = subject.split(":", 1)
    updated = (
        await Account.update({Account.email_confirmed: True})
        .where((Account.id == int(account_id_text)) & (Account.email == email))
        .returning(Account.id)
    )
    if updated:
        await audit.record(
            actor=None,
            action="confirm_email",
            entity="account",
            entity_id=account_id_text,
            summary="Email address confirmed",
        )
    return bool(updated)
