import os

from piccolo.conf.apps import AppConfig

from server.habits.tables import CheckIn, Habit, HabitCheckpoint, HabitSkip, Pause, PauseHabit

APP_CONFIG = AppConfig(
    app_name="habits",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Habit, CheckIn, HabitSkip, Pause, PauseHabit, HabitCheckpoint],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
