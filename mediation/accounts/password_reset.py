"""New passwords: a reset by emailed link (for a forgotten password, and for family accounts a local
authority made without one), and a change when signed in (the forced first change of a temporary
password too).

A reset link is signed (`accounts/tokens.py`), works for an hour and only once: it names the account and
an HMAC of its current password hash and address, so it dies as soon as the password changes (by this
link, another one, or a change when signed in) and an UPDATE that compares the old hash makes two
submissions of one link race safely. Setting a password either way moves the account's
`session_epoch` on, which ends every session started before (`web/auth.py`).

Asking for a link gives the same page and does the same work whoever asks: the request is counted by
the sign-in throttle's buckets under their own keys, one email goes to the address typed (the link, a
note that no account uses the address, or that the account is switched off) and one audit row is written.
Signed links keep the wall clock (`wall_clock`), not the service's "today".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass

from mediation.accounts import throttle
from mediation.accounts.errors import Throttled
from mediation.accounts.passwords import (
    NO_PASSWORD,
    hash_password_off_loop,
    password_problem,
    verify_password_off_loop,
)
from mediation.accounts.service import EMAIL_MAX_LENGTH, normalise_email
from mediation.accounts.tables import Account
from mediation.accounts.tokens import make_token, read_token
from mediation.audit import service as audit
from mediation.db import transaction
from mediation.identity import CurrentUser
from mediation.notify.service import queue_email
from mediation.settings import settings

PURPOSE = "password-reset"
LINK_MINUTES = 60
# At most one reset email per address in each slot of this many minutes, however many clients ask.
EMAIL_SLOT_MINUTES = 10

ENTER_EMAIL = "Enter your email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PASSWORDS_DIFFER = "The passwords do not match"  # noqa: S105 - a message
ENTER_NEW = "Enter a new password"  # noqa: S105 - a message
ENTER_CURRENT = "Enter your current password"  # noqa: S105 - a message
WRONG_CURRENT = "Your current password is not correct"  # noqa: S105 - a message
TOO_MANY = "Too many failed attempts"
SAME_AS_CURRENT = "Your new password must be different from your current password"  # noqa: S105


def wall_clock() -> float:
    """Seconds since the epoch for signing and checking links (tests move it to expire one)."""
    return time.time()


def _binding(password_hash: str, email: str) -> str:
    """Ties a link to the password it replaces: any new password (or address) makes it worthless."""
    digest = hmac.new(
        settings.secret_key.encode(), f"reset-binding|{password_hash}|{email}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _slot() -> str:
    now = dt.datetime.fromtimestamp(wall_clock(), dt.UTC)
    return f"{now:%Y%m%d%H}{now.minute // EMAIL_SLOT_MINUTES}"


def email_problem(email: str) -> str | None:
    email = normalise_email(email)
    if not email:
        return ENTER_EMAIL
    if len(email) > EMAIL_MAX_LENGTH or "@" not in email or " " in email or "." not in email.split("@")[-1]:
        return EMAIL_FORMAT
    return None


async def send_reset_link(
    account_id: int, email: str, name: str, password_hash: str, base_url: str, *, first_password: bool = False
) -> None:
    """Queue the reset link for an account (inside the caller's transaction); `first_password` for an
    account the local authority made without one."""
    token = make_token(
        PURPOSE,
        f"{account_id}:{_binding(password_hash, email)}",
        valid_for_seconds=LINK_MINUTES * 60,
        now=wall_clock(),
    )
    link = f"{base_url}/reset-password/{token}"
    if first_password:
        subject = "Choose a password for your account"
        body = (
            f"Dear {name},\n\nYour local authority has already set up an account for you with this email "
            f"address. To choose its password, open this link:\n{link}\n\nThe link works for 1 hour and "
            f"only once; you can ask for another at {base_url}/forgot-password\n\n"
            "If you did not ask, you can ignore this email."
        )
    else:
        subject = "Reset your password"
        body = (
            f"Dear {name},\n\nSomeone asked to reset the password of your account. To choose a new "
            f"password, open this link:\n{link}\n\nThe link works for 1 hour and only once. Choosing a "
            "new password signs you out everywhere.\n\n"
            "If you did not ask, you can ignore this email: your password has not changed."
        )
    await queue_email(
        to=email,
        name=name,
        subject=subject,
        body_text=body,
        dedupe_key=f"password-reset:{account_id}:{_slot()}",
    )


async def request_reset(email: str, client: str, base_url: str) -> None:
    """Send whatever the address should get; raise `Throttled` past the limits. The caller has checked
    the address's format (`email_problem`)."""
    email = normalise_email(email)
    claimed = await throttle.claim(f"reset|{email}", f"reset|{client}")
    if not claimed.allowed:
        raise Throttled(
            f"Too many requests. Wait {throttle.wait_words(claimed.wait_seconds)} and try again.",
            retry_after=claimed.wait_seconds,
        )
    async with transaction():
        row = (
            await Account.select(Account.id, Account.full_name, Account.active, Account.password_hash)
            .where(Account.email == email)
            .first()
        )
        if row is not None and row["active"]:
            await send_reset_link(
                row["id"],
                email,
                row["full_name"],
                row["password_hash"],
                base_url,
                first_password=row["password_hash"] == NO_PASSWORD,
            )
            summary = "Password reset link sent by email"
        elif row is not None:
            await queue_email(
                to=email,
                name=row["full_name"],
                subject="Your account is switched off",
                body_text=(
                    f"Dear {row['full_name']},\n\nSomeone asked to reset the password of your account, "
                    "but it has been switched off, so it cannot be used. If you need it again, ask your "
                    "organisation's administrator.\n\nIf you did not ask, you can ignore this email."
                ),
                dedupe_key=f"password-reset:{row['id']}:{_slot()}",
            )
            summary = "Password reset asked for a switched-off account: no link sent"
        else:
            hashed = hashlib.sha256(email.encode()).hexdigest()[:40]
            await queue_email(
                to=email,
                name="",
                subject="There is no account with this email address",
                body_text=(
                    "Someone asked to reset the password of an account with this email address, but "
                    "no account uses it.\n\nIf you are a parent, carer, young person or advocate, you "
                    f"can create an account at {base_url}/register\nStaff accounts are set up by your "
                    "organisation's administrator.\n\nIf you did not ask, you can ignore this email."
                ),
                dedupe_key=f"password-reset-none:{hashed}:{_slot()}",
            )
            summary = "Password reset asked for an address with no account"
        await audit.record(
            actor=None,
            action="password_reset_requested",
            entity="account",
            entity_id=row["id"] if row else "",
            summary=summary,
            client=client,
        )


@dataclass(frozen=True)
class ResetTarget:
    """An account whose password is about to be replaced, with the hash in place now."""

    account_id: int
    email: str
    full_name: str
    password_hash: str


async def reset_target(token: str) -> ResetTarget | None:
    """The account a reset link is for, or None if it is forged, expired, used or superseded."""
    subject = read_token(PURPOSE, token, now=wall_clock())
    if subject is None:
        return None
    account_text, _, binding = subject.partition(":")
    if not (account_text.isascii() and account_text.isdigit()) or int(account_text) >= 2**31:
        return None
    row = (
        await Account.select(Account.id, Account.email, Account.full_name, Account.password_hash)
        .where((Account.id == int(account_text)) & Account.active.eq(True))
        .first()
    )
    if row is None or not hmac.compare_digest(_binding(row["password_hash"], row["email"]), binding):
        return None
    return ResetTarget(row["id"], row["email"], row["full_name"], row["password_hash"])


def _new_password_errors(values: dict[str, str], email: str, full_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    password = values.get("password", "")
    if not password:
        errors["password"] = ENTER_NEW
    elif problem := password_problem(password, email=email, full_name=full_name):
        errors["password"] = problem
    if password and values.get("confirm_password", "") != password:
        errors["confirm_password"] = PASSWORDS_DIFFER
    return errors


async def _tell_changed(email: str, name: str, account_id: int, epoch: int, how: str) -> None:
    await queue_email(
        to=email,
        name=name,
        subject="Your password has been changed",
        body_text=(
            f"Dear {name},\n\nThe password of your account was {how}, and every other place where "
            "you were signed in has been signed out.\n\nIf you did not do this, reset your password "
            f"straight away at {settings.base_url}/forgot-password and tell your organisation's "
            "administrator or the service's support team."
        ),
        dedupe_key=f"password-changed:{account_id}:{epoch}",
    )


async def _store_new_password(account_id: int, old_hash: str, new_hash: str) -> int | None:
    """Set the password if it is still `old_hash` (so a link or form used twice at once wins once),
    confirm the address, lift a forced change and end every session. The new epoch, or None."""
    rows = (
        await Account.update(
            {
                Account.password_hash: new_hash,
                Account.email_confirmed: True,
                Account.must_change_password: False,
                Account.session_epoch: Account.session_epoch + 1,
            }
        )
        .where((Account.id == account_id) & (Account.password_hash == old_hash))
        .returning(Account.session_epoch)
    )
    return int(rows[0]["session_epoch"]) if rows else None


async def _replace_password(
    account: ResetTarget,
    password: str,
    *,
    actor: CurrentUser | None,
    action: str,
    summary: str,
    how: str,
    client: str,
) -> bool:
    """Store the new password (if the old one is still in place), audit it and tell the person, in one
    transaction. False when the password had already changed."""
    new_hash = await hash_password_off_loop(password)
    async with transaction():
        epoch = await _store_new_password(account.account_id, account.password_hash, new_hash)
        if epoch is None:
            return False
        await audit.record(
            actor=actor,
            action=action,
            entity="account",
            entity_id=account.account_id,
            summary=summary,
            client=client,
        )
        await _tell_changed(account.email, account.full_name, account.account_id, epoch, how)
    return True


async def complete_reset(target: ResetTarget, values: dict[str, str], client: str) -> dict[str, str] | None:
    """Set the new password from a reset link. Field errors to show, {} when done, None when the link
    was used meanwhile."""
    errors = _new_password_errors(values, target.email, target.full_name)
    if errors:
        return errors
    done = await _replace_password(
        target,
        values["password"],
        actor=None,
        action="password_reset",
        summary="Password reset with an emailed link; every session signed out",
        how="reset with an emailed link",
        client=client,
    )
    return {} if done else None


async def change_password(user: CurrentUser, values: dict[str, str], client: str) -> dict[str, str]:
    """Change a signed-in person's password (the current one is checked, through the sign-in throttle).
    Field errors to show; {} when done (every session then ends: the caller starts a new one)."""
    current = values.get("current_password", "")
    errors = _new_password_errors(values, user.email, user.full_name)
    if not current:
        errors["current_password"] = ENTER_CURRENT
        return errors
    row = await Account.select(Account.password_hash).where(Account.id == user.id).first()
    claimed = await throttle.claim(user.email, client[:64])
    if not claimed.allowed:
        errors["current_password"] = (
            f"{TOO_MANY}. Wait {throttle.wait_words(claimed.wait_seconds)} and try again."
        )
        return errors
    if row is None or not await verify_password_off_loop(row["password_hash"], current):
        errors["current_password"] = WRONG_CURRENT
        return errors
    await throttle.give_back(claimed)
    if not errors and values.get("password") == current:
        errors["password"] = SAME_AS_CURRENT
    if errors:
        return errors
    done = await _replace_password(
        ResetTarget(user.id, user.email, user.full_name, row["password_hash"]),
        values["password"],
        actor=user,
        action="password_change",
        summary="Password changed when signed in; every other session signed out",
        how="changed",
        client=client,
    )
    return {} if done else {"current_password": WRONG_CURRENT}  # changed meanwhile by another request
