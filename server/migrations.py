"""Apply Piccolo migrations, safely from several processes at once."""

from __future__ import annotations

import contextlib
import io
import logging

from piccolo.apps.migrations.commands.forwards import run_forwards

from server import database
from server.settings import get_settings

log = logging.getLogger(__name__)
_LOCK_KEY = 0x636F6D65  # "come": one advisory lock for the whole schema


async def migrate() -> None:
    """Bring the schema up to date; on PostgreSQL, one process at a time."""
    database.use_this_module()
    settings = get_settings()
    if settings.database_url:
        import asyncpg

        # A separate connection holds the lock: the pool's connections come and go.
        lock = await asyncpg.connect(settings.database_url)
        try:
            await lock.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
            await _run()
        finally:
            with contextlib.suppress(Exception):
                await lock.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
            await lock.close()
    else:
        await _run()


async def _run() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards(app_name="all")
    log.debug("migrations: %s", out.getvalue())
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")
