import os

from piccolo.conf.apps import AppConfig

from server.reminders.tables import PushSubscription, Reminder, ReminderDelivery, VapidKey

APP_CONFIG = AppConfig(
    app_name="reminders",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Reminder, ReminderDelivery, PushSubscription, VapidKey],
    migration_dependencies=["server.habits.piccolo_app"],
    commands=[],
)
