"""The server's VAPID key pair (RFC 8292): created on first start, then kept, so browsers' push
subscriptions (tied to the public key) stay valid across restarts.

One place decides where it lives: the data dir (a 0600 PEM file) when the service runs embedded on
SQLite, the database when scaled out on PostgreSQL, so every server and worker signs with the same key.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from server import clock
from server.settings import Settings

KEY_FILE = "vapid_private.pem"
KEY_NAME = "web-push"

_lock = asyncio.Lock()
_current: dict[str, Vapid] = {}


async def keys(settings: Settings) -> Vapid:
    """This deployment's key pair, created the first time any process asks."""
    place = settings.database_url or str(settings.data_dir)
    if place in _current:
        return _current[place]
    async with _lock:
        if place not in _current:
            pem = await (_from_database() if settings.uses_postgres else asyncio.to_thread(_from_file, settings))
            _current[place] = Vapid.from_pem(pem)
    return _current[place]


def public_key(vapid: Vapid) -> str:
    """The application server key a browser subscribes with: the uncompressed P-256 point, base64url."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_pem() -> bytes:
    vapid = Vapid()
    vapid.generate_keys()
    pem: bytes = vapid.private_pem()
    return pem


def _from_file(settings: Settings) -> bytes:
    path = settings.data_dir / KEY_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        # O_EXCL: of two processes starting together, one writes the key and both then read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(_new_pem())
    return path.read_bytes()


async def _from_database() -> bytes:
    from server.reminders.tables import VapidKey

    await VapidKey.raw("INSERT INTO vapid_key (name, private_pem, created_at) VALUES ({}, {}, {}) "
                       "ON CONFLICT (name) DO NOTHING", KEY_NAME, _new_pem().decode(), clock.now())
    rows = await VapidKey.select(VapidKey.private_pem).where(VapidKey.name == KEY_NAME)
    return str(rows[0]["private_pem"]).encode()
