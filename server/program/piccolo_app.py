import os

from piccolo.conf.apps import AppConfig

from server.program.tables import StepUnlock

APP_CONFIG = AppConfig(
    app_name="program",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[StepUnlock],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
