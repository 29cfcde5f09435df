"""Password hashing with argon2id (argon2-cffi's maintained defaults), and the rules for a new password.

Hashing and verifying take tens of milliseconds of CPU by design, so the async helpers run them in a
worker thread: the event loop keeps serving every other request meanwhile.

The rules follow NCSC and NIST SP 800-63B: at least 12 characters, up to 256 (any character, spaces
too), no composition rules, and never a common or easily guessed password or one built from the
person's own name or email address. "Common" comes from zxcvbn's offline frequency lists (leaked
passwords, common words and names) and its pattern matching (keyboard runs, sequences, dates,
repeats), so `password1234` and `123456789012` are refused however long they are.
"""

from __future__ import annotations

import os
import re

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

# Tests may lower the cost (MEDIATION_FAST_HASH=1); production keeps argon2-cffi's RFC 9106 profile.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("MEDIATION_FAST_HASH") == "1"
    else PasswordHasher()
)

# Verified against when the email is unknown, so timing does not reveal whether an account exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

# Not a hash: no password verifies against it. Accounts made for a family by their local authority have
# it until the family sets one through a reset link (`accounts/password_reset.py`).
NO_PASSWORD = "!"  # noqa: S105

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn refuses longer input (its matching grows quickly with length); the first 72 characters decide.
_ESTIMATE_LENGTH = 72
# zxcvbn's score 3 means about 10^8 guesses or more: "safely unguessable" for an online attack.
MIN_SCORE = 3
# Parts of a name or address shorter than this are too common inside other words to refuse.
_MIN_DETAIL_LENGTH = 4

TOO_COMMON = "Password is too common. Choose a password that is harder to guess, for example 3 random words"
TOO_EASY = (
    "Password is too easy to guess. Choose a longer password that is not a pattern or a common "
    "word, for example 3 random words"
)
HAS_DETAILS = "Password must not include your name or email address"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_limiter: anyio.CapacityLimiter | None = None


def _hashing_slots() -> anyio.CapacityLimiter:
    """At most one hash per core at a time (argon2 already spreads one over its lanes): a burst of
    sign-ins queues for the CPU instead of starving every other request of it."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))
    return _limiter


async def hash_password_off_loop(password: str) -> str:
    """`hash_password` in a worker thread."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_hashing_slots())


async def verify_password_off_loop(stored_hash: str | None, password: str) -> bool:
    """`verify_password` in a worker thread."""
    return await anyio.to_thread.run_sync(verify_password, stored_hash, password, limiter=_hashing_slots())


def _personal_details(email: str, full_name: str) -> list[str]:
    """The person's own details a password must not contain: the address, its local part and the
    words in it, the name run together and each longer part of it (all lower case)."""
    email = email.strip().lower()
    local = email.split("@", 1)[0]
    name = full_name.strip().lower()
    parts = {email, local, re.sub(r"\s+", "", name)}
    parts.update(re.split(r"[^\w]+|_", local))
    parts.update(re.split(r"[^\w]+", name))
    return sorted(p for p in parts if len(p) >= _MIN_DETAIL_LENGTH)


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """A specific reason a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    details = _personal_details(email, full_name)
    lowered = password.lower()
    if any(detail in lowered for detail in details):
        return HAS_DETAILS
    estimate = zxcvbn(password[:_ESTIMATE_LENGTH], user_inputs=details, max_length=_ESTIMATE_LENGTH)
    if estimate["score"] >= MIN_SCORE:
        return None
    dictionaries = {match.get("dictionary_name") for match in estimate["sequence"]}
    if "user_inputs" in dictionaries:
        return HAS_DETAILS
    if "passwords" in dictionaries or "common" in estimate["feedback"].get("warning", "").lower():
        return TOO_COMMON
    return TOO_EASY
