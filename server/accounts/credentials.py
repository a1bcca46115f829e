"""Password hashing (argon2id) and opaque token secrets."""

from __future__ import annotations

import hashlib
import secrets as _random  # stdlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when an e-mail is unknown, so a failed log-in costs the same either way.
_DUMMY_HASH = _hasher.hash("comeback-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check: an unknown account still pays for one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str) -> str:
    """A fresh opaque secret; the prefix tells people what leaked if one ever does."""
    return f"{prefix}_{_random.token_urlsafe(32)}"


def token_digest(secret: str) -> str:
    """Tokens are 256-bit random, so a fast hash is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()
