"""Password hashing (argon2id) and opaque token secrets.

argon2 is deliberately slow (about a quarter of a second per hash here) and releases the GIL, so
it runs in worker threads, a few at a time: the event loop keeps answering (/health, check-ins)
while log-ins are verified, and a burst of log-ins queues instead of taking every core.
"""

from __future__ import annotations

import hashlib
import secrets as _random  # stdlib
from functools import cache

import anyio
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from server.settings import get_settings


@cache
def _argon2() -> tuple[PasswordHasher, str]:
    """The hasher chosen by settings, and a hash of a dummy password made with it.

    The dummy is verified against when an e-mail is unknown, so a failed log-in costs the same
    either way; both come from the first call, so no later log-in pays for making the dummy.
    """
    if get_settings().password_hash_profile == "fast":  # tests only: argon2-cffi's cheapest parameters
        chosen = PasswordHasher.from_parameters(profiles.CHEAPEST)
    else:
        chosen = PasswordHasher()  # argon2id with the library's current recommended parameters
    return chosen, chosen.hash("comeback-dummy-password")


def hasher() -> PasswordHasher:
    return _argon2()[0]


# Hashes at once per process; more wait their turn (each one uses ~64 MiB and a core).
HASHING_THREADS = 2
_hashing: anyio.CapacityLimiter | None = None


def _limiter() -> anyio.CapacityLimiter:
    # Created on first use: a CapacityLimiter belongs to the event loop that first awaits it.
    global _hashing
    if _hashing is None:
        _hashing = anyio.CapacityLimiter(HASHING_THREADS)
    return _hashing


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check: an unknown account still pays for one argon2 verification."""
    chosen, dummy = _argon2()
    try:
        return chosen.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password_off_loop(password: str) -> str:
    """hash_password in a worker thread (bounded), never on the event loop."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limiter())


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """verify_password in a worker thread (bounded), never on the event loop."""
    return await anyio.to_thread.run_sync(verify_password, password_hash, password, limiter=_limiter())


def new_token(prefix: str) -> str:
    """A fresh opaque secret; the prefix tells people what leaked if one ever does."""
    return f"{prefix}_{_random.token_urlsafe(32)}"


def token_digest(secret: str) -> str:
    """Tokens are 256-bit random, so a fast hash is enough to store them safely."""
    return hashlib.sha256(secret.encode()).hexdigest()
