from server.migration_sql import index_migration

ID = "2026-11-26T19:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = (
    "CREATE INDEX journal_entry_owner_created ON journal_entry (owner, created_at)",
)


async def forwards():
    return index_migration(ID, "journal", STATEMENTS)
