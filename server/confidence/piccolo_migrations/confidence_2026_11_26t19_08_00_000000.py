from server.migration_sql import index_migration

ID = "2026-11-26T19:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX confidence_day_owner_day ON confidence_day (owner, day)",
)


async def forwards():
    return index_migration(ID, "confidence", STATEMENTS)
