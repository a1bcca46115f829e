from server.migration_sql import index_migration

ID = "2026-11-26T18:58:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

# Idempotency keys are scoped to the user; NULL keys never collide on either engine.
STATEMENTS = (
    "CREATE UNIQUE INDEX check_in_owner_idempotency_key ON check_in (owner, idempotency_key)",
    "CREATE INDEX check_in_habit_day ON check_in (habit, day)",
    "CREATE INDEX check_in_habit_occurred_at ON check_in (habit, occurred_at)",
    "CREATE UNIQUE INDEX habit_skip_habit_day ON habit_skip (habit, day)",
)


async def forwards():
    return index_migration(ID, "habits", STATEMENTS)
