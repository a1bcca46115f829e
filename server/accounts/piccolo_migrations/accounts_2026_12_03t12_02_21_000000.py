from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:02:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "users stale under the timestamp scheme stay stale under the version scheme"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def carry_over() -> None:
        engine = engine_finder()
        assert engine is not None
        # Both engines accept this statement; the sweep then recomputes these users as before.
        await engine.run_ddl("UPDATE app_user SET stale_version = derived_version + 1 WHERE stale_since IS NOT NULL")

    manager.add_raw(carry_over)
    return manager
