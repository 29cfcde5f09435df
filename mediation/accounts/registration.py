"""Families register themselves; a signed, expiring link confirms their email address."""

from __future__ import annotations

from mediation.accounts import link_requests, password_reset
from mediation.accounts.passwords import NO_PASSWORD, hash_password_off_loop
from mediation.accounts.service import (
    EMAIL_TAKEN,
    AccountError,
    NewAccount,
    create_account,
    normalise_email,
    validate_new_account,
)
from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token, read_token
from mediation.audit import service as audit
from mediation.db import is_unique_violation, transaction
from mediation.notify.service import queue_email

PURPOSE = "confirm-email"
LINK_HOURS = 48


def _hour() -> str:
    return link_requests.wall_clock().strftime("%Y%m%d%H")


async def _send_link(
    account_id: int, email: str, name: str, base_url: str, *, again: int | None = None
) -> None:
    """The confirmation link. `again`: the slot of a request to send it again (`resend`), else this
    hour's registration link."""
    token = make_token(PURPOSE, f"{account_id}:{email}", valid_for_seconds=LINK_HOURS * 3600)
    await queue_email(
        to=email,
        name=name,
        subject="Confirm your email address",
        body_text=(
            f"Dear {name},\n\nConfirm your email address to finish creating your account:\n"
            f"{base_url}/confirm-email/{token}\n\nThe link works for {LINK_HOURS} hours. "
            "If you did not ask for an account, ignore this email."
        ),
        # Registration: at most one link an hour per account, so the form cannot flood an inbox; sent
        # again: at most one per slot (link_requests limits how often, whether or not an account exists).
        dedupe_key=f"confirm:{account_id}:{_hour()}"
        if again is None
        else f"confirm:{account_id}:again:{again}",
    )


async def _send_already_registered(account_id: int, email: str, name: str, base_url: str) -> None:
    await queue_email(
        to=email,
        name=name,
        subject="You already have an account",
        body_text=(
            f"Dear {name},\n\nSomeone asked to create an account with this email address, which already "
            f"has one. If it was you, sign in at {base_url}/sign-in\n\n"
            "If you did not ask, you can ignore this email: nothing has changed."
        ),
        dedupe_key=f"already-registered:{account_id}:{_hour()}",
    )


async def _send_already_confirmed(account_id: int, email: str, name: str, base_url: str, again: int) -> None:
    await queue_email(
        to=email,
        name=name,
        subject="Your email address is already confirmed",
        body_text=(
            f"Dear {name},\n\nSomeone asked for a new link to confirm this email address. It is already "
            f"confirmed, so there is nothing more to do: sign in at {base_url}/sign-in\n\n"
            "If you did not ask, you can ignore this email: nothing has changed."
        ),
        dedupe_key=f"already-confirmed:{account_id}:{again}",
    )


async def register(values: dict[str, str], base_url: str) -> dict[str, str]:
    """Create an unconfirmed family account and send the link. Returns field errors (none when done).

    An address that already has an account gets an email instead (the link again if it is not
    confirmed, else a note that it has an account), and both paths do the same work: the password is
    hashed, one transaction writes, one email goes to the outbox and the page is the same. So neither
    the page nor how long it takes reveals who has an account.
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
    existing = problems.get("email") == EMAIL_TAKEN
    if existing:
        del problems["email"]
    errors.update(problems)
    if errors:
        return errors
    email = normalise_email(new.email)
    password_hash = await hash_password_off_loop(new.password)
    try:
        async with transaction():
            # Both paths count an email to this address, so asking for it again at once must wait.
            await link_requests.record(PURPOSE, email)
            if not existing:
                account_id = await create_account(new, actor=None, password_hash=password_hash)
                await _send_link(account_id, email, new.full_name.strip(), base_url)
                return {}
            await _remind_existing(email, base_url)
    except AccountError as exc:
        # Registered by a request that got there first (the transaction saw its row).
        if exc.errors != {"email": EMAIL_TAKEN}:
            raise
        await _remind_existing(email, base_url)
    except Exception as exc:
        if not is_unique_violation(exc):  # the same race, caught by the unique index
            raise
        await _remind_existing(email, base_url)
    return {}


async def _remind_existing(email: str, base_url: str) -> None:
    row = (
        await Account.select(
            Account.id, Account.full_name, Account.email_confirmed, Account.password_hash, Account.active
        )
        .where(Account.email == email)
        .first()
    )
    if row is None:
        return
    if row["password_hash"] == NO_PASSWORD and row["active"]:
        # Made by the local authority for the family, with no password: confirming the address would
        # still leave no way to sign in (the password typed here is not kept), so send the link that
        # sets one.
        await password_reset.send_reset_link(
            row["id"], email, row["full_name"], row["password_hash"], base_url, first_password=True
        )
    elif row["email_confirmed"]:
        await _send_already_registered(row["id"], email, row["full_name"], base_url)
    else:
        await _send_link(row["id"], email, row["full_name"], base_url)


async def resend(email: str, base_url: str, client: str) -> int:
    """Send the confirmation link again; 0, or the seconds to wait first (asked too often).

    The same work whatever the address: the request is counted and limited per address and per client
    (`link_requests`) before the account is looked up, in one transaction. Then an unconfirmed family
    account gets a new link, another account a note that there is nothing to confirm, and an address
    without an account nothing. The page says the same in every case.
    """
    email = normalise_email(email)
    async with transaction():
        decision = await link_requests.claim(PURPOSE, email, client)
        if not decision.allowed:
            return decision.wait_seconds
        row = (
            await Account.select(Account.id, Account.full_name, Account.email_confirmed, Account.role)
            .where(Account.email == email)
            .first()
        )
        if row is None:
            return 0
        if not row["email_confirmed"] and row["role"] == "family":
            await _send_link(row["id"], email, row["full_name"], base_url, again=decision.slot)
        else:
            await _send_already_confirmed(row["id"], email, row["full_name"], base_url, decision.slot)
    return 0


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
