from server.migration_sql import index_migration

ID = "2026-11-26T19:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX step_unlock_owner_step ON step_unlock (owner, step_key)",
)


async def forwards():
    return index_migration(ID, "program", STATEMENTS)
