from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the earliest day a pending change may alter (the recompute starts there)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    # NULL on every existing row: a user stale now is recomputed over the whole window, as before.
    manager.add_column(table_class_name="User", tablename="app_user", column_name="stale_from",
                       db_column_name="stale_from", column_class_name="Date", column_class=Date,
                       params={"default": None, "null": True, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False},
                       schema=None)
    return manager
