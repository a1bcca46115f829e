"""Raw-SQL migrations for indexes that both SQLite and PostgreSQL accept.

Piccolo runs a migration's raw steps before creating its tables, so indexes live in a
migration of their own; and its composite Unique emits ALTER TABLE ... ADD CONSTRAINT,
which SQLite rejects, so composite unique indexes are plain CREATE UNIQUE INDEX statements.
"""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def index_migration(migration_id: str, app_name: str, statements: Sequence[str]) -> MigrationManager:
    manager = MigrationManager(migration_id=migration_id, app_name=app_name, description="indexes")

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    return manager
