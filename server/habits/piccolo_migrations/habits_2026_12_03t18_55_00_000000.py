from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T18:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "checkpoint days"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="habits", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="HabitCheckpoint",
        tablename="habit_checkpoint",
        column_name="days",
        db_column_name="days",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
