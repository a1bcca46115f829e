"""Indexes the model needs, as raw SQL that both SQLite and PostgreSQL accept.

Piccolo runs a migration's raw steps before its tables, so they live in their own migration;
composite unique constraints from Piccolo would emit ALTER TABLE ... ADD CONSTRAINT, which SQLite rejects.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T18:58:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager


async def create_indexes():
    from server.accounts.tables import User

    # The background sweep looks for users whose derived state is stale.
    await User.raw("CREATE INDEX app_user_stale_since ON app_user (stale_since)")
