"""Indexes the model needs, as raw SQL that both SQLite and PostgreSQL accept.

Piccolo runs a migration's raw steps before its tables, so they live in their own migration;
composite unique constraints from Piccolo would emit ALTER TABLE ... ADD CONSTRAINT, which SQLite rejects.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T18:58:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="habits", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager


INDEXES = (
    # Idempotency keys are scoped to the user; NULL keys never collide on either engine.
    "CREATE UNIQUE INDEX check_in_owner_idempotency_key ON check_in (owner, idempotency_key)",
    "CREATE INDEX check_in_habit_day ON check_in (habit, day)",
    "CREATE INDEX check_in_habit_occurred_at ON check_in (habit, occurred_at)",
    "CREATE UNIQUE INDEX habit_skip_habit_day ON habit_skip (habit, day)",
)


async def create_indexes():
    from server.habits.tables import Habit

    for statement in INDEXES:
        await Habit.raw(statement)
