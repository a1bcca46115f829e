"""Contract v2: QUIT strength starts at 0 (it started at 100). Stored confidence of users with a
QUIT habit was computed with the old rule, so it is cleared and those users are marked stale:
the background recompute writes their last 90 days again with the new rule (the `confidence`
query computes today's score live until it has). Older days, which the recompute never writes,
are gone rather than wrong. Awards and unlocked steps are kept: they are never revoked.
"""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Timestamptz
from piccolo.table import Table

ID = "2026-12-03T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "quit strength from 0: recompute stored confidence"

_QUIT_OWNERS = "SELECT owner FROM habit WHERE kind = 'QUIT'"


class _User(Table, tablename="app_user"):
    # Only the column this migration writes, frozen here: the app's table may change later.
    stale_since = Timestamptz(null=True, default=None)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="confidence", description=DESCRIPTION)

    async def recompute_quit_users() -> None:
        await _User.raw(f"DELETE FROM confidence_day WHERE owner IN ({_QUIT_OWNERS})")
        await _User.raw(f"UPDATE app_user SET stale_since = {{}} WHERE stale_since IS NULL AND id IN ({_QUIT_OWNERS})",
                        datetime.now(UTC))

    manager.add_raw(recompute_quit_users)
    return manager
