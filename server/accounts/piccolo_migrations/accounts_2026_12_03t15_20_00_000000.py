from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sessions show when they were last used and from which user agent"


def _params(**extra: object) -> dict[str, object]:
    return {"default": None, "null": True, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_column(table_class_name="AccessToken", tablename="access_token", column_name="last_used_at",
                       db_column_name="last_used_at", column_class_name="Timestamptz", column_class=Timestamptz,
                       params=_params(), schema=None)
    manager.add_column(table_class_name="AccessToken", tablename="access_token", column_name="user_agent",
                       db_column_name="user_agent", column_class_name="Varchar", column_class=Varchar,
                       params=_params(length=200), schema=None)
    return manager
