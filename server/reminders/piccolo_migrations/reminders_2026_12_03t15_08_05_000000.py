from server.migration_sql import index_migration

ID = "2026-12-03T15:08:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = (
    # Each reminder reaches each channel at most once per habit day, whatever the workers do.
    "CREATE UNIQUE INDEX reminder_delivery_once ON reminder_delivery (reminder, day, channel)",
    "CREATE INDEX reminder_owner ON reminder (owner)",
    "CREATE INDEX reminder_delivery_owner ON reminder_delivery (owner)",
)


async def forwards():
    return index_migration(ID, "reminders", STATEMENTS)
