"""Password hashing with argon2id (argon2-cffi's maintained defaults)."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Tests may lower the cost (MEDIATION_FAST_HASH=1); production keeps argon2-cffi's RFC 9106 profile.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("MEDIATION_FAST_HASH") == "1"
    else PasswordHasher()
)

# Verified against when the email is unknown, so timing does not reveal whether an account exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A specific reason a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if password.lower() == password and password.isalpha():
        return "Password must include a number, a capital letter or a symbol"
    return None
