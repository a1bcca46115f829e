import os

from piccolo.conf.apps import AppConfig

from server.achievements.tables import AchievementAward

APP_CONFIG = AppConfig(
    app_name="achievements",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AchievementAward],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
