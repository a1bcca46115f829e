from server.migration_sql import index_migration

ID = "2026-11-26T18:58:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

# Idempotency keys are scoped to the user; NULL keys never collide on either engine.
STATEMENTS = (
    "CREATE INDEX app_user_stale_since ON app_user (stale_since)",
)


async def forwards():
    return index_migration(ID, "accounts", STATEMENTS)
