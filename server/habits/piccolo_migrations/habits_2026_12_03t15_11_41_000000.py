from server.migration_sql import index_migration

ID = "2026-12-03T15:11:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

# One checkpoint per habit and day; reads look them up by habit and day range.
STATEMENTS = ("CREATE UNIQUE INDEX habit_checkpoint_habit_day ON habit_checkpoint (habit, day)",)


async def forwards():
    return index_migration(ID, "habits", STATEMENTS)
