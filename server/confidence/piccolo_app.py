import os

from piccolo.conf.apps import AppConfig

from server.confidence.tables import ConfidenceDay

APP_CONFIG = AppConfig(
    app_name="confidence",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ConfidenceDay],
    # The QUIT-rule migration reads the habit table.
    migration_dependencies=["server.accounts.piccolo_app", "server.habits.piccolo_app"],
    commands=[],
)
