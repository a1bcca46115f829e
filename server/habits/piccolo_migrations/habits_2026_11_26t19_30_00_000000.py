from server.migration_sql import index_migration

ID = "2026-11-26T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = ("CREATE UNIQUE INDEX habit_owner_kit_key ON habit (owner, kit_key)",)


async def forwards():
    return index_migration(ID, "habits", STATEMENTS)
