import os

from piccolo.conf.apps import AppConfig

from server.journal.tables import JournalEntry

APP_CONFIG = AppConfig(
    app_name="journal",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[JournalEntry],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
