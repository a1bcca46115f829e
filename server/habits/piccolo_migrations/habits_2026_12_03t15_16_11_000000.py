from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T15:16:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "number existing habits in creation order"

# Each owner's habits get 0, 1, 2... in the order they were listed before positions existed
# (created_at, then id). A correlated count, which SQLite and PostgreSQL both run.
STATEMENT = (
    "UPDATE habit SET position = (SELECT COUNT(*) FROM habit AS earlier WHERE earlier.owner = habit.owner "
    "AND (earlier.created_at < habit.created_at OR (earlier.created_at = habit.created_at AND earlier.id < habit.id)))"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="habits", description=DESCRIPTION)

    async def number() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(STATEMENT)

    manager.add_raw(number)
    return manager
