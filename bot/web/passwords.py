"""Staff password hashing with argon2id, at OWASP's recommended minimum parameters.

argon2-cffi's default profile (RFC 9106 low-memory) allocates 64 MiB per hash or
check, a third of the bot's memory budget; OWASP's 19 MiB, 2 passes, 1 lane is
the documented equivalent. Hashes made with other parameters still verify, and
are redone with these at the next login (needs_rehash).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 10


@cache
def _dummy_hash() -> str:
    # Verified against when the name is unknown, so both cases take about as long.
    # Made at the first check, not at import: the bot needs no hash until someone logs in.
    return _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    dummy = _dummy_hash()  # first, whatever the name, so the first check of each kind costs the same
    try:
        return _hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password needs at least {MIN_LENGTH} characters"
    return None
