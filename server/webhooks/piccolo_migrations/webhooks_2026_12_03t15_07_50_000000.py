from server.migration_sql import index_migration

ID = "2026-12-03T15:07:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

STATEMENTS = (
    "CREATE INDEX webhook_owner ON webhook (owner)",
    # The delivery log of a webhook, newest first.
    "CREATE INDEX webhook_delivery_webhook_created ON webhook_delivery (webhook, created_at)",
    # The sweep: pending deliveries by when they are due.
    "CREATE INDEX webhook_delivery_due ON webhook_delivery (status, next_attempt_at)",
    "CREATE INDEX webhook_delivery_owner ON webhook_delivery (owner)",
)


async def forwards():
    return index_migration(ID, "webhooks", STATEMENTS)
