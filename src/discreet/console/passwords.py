"""Password hashing with Argon2id (`argon2-cffi`), and the rules for new passwords.

Unknown users cost the same as known ones: :func:`verify_password` with no stored hash
checks the password against a dummy hash made with the same parameters, so the answer
and its timing do not say whether the user exists.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from discreet.console.errors import AccountInputError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

# argon2-cffi's defaults are RFC 9106's "low memory" profile: Argon2id, t=3, m=64 MiB, p=4.
_HASHER = PasswordHasher()


def check_new_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountInputError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountInputError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    """The Argon2id encoded hash (salt and parameters included)."""
    return _HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(24))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `stored_hash` None (no such user) costs the same."""
    target = stored_hash if stored_hash is not None else _dummy_hash()
    try:
        ok = _HASHER.verify(target, password[:MAX_PASSWORD_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
