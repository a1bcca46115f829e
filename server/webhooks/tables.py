from __future__ import annotations

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User


class Webhook(Table, tablename="webhook"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    url = Varchar(length=2048)
    events = Varchar(length=200)  # WebhookEvent names, comma-separated
    # The signing key itself (`whsec_...`): it signs every attempt, so it cannot be stored hashed.
    secret = Varchar(length=100)
    enabled = Boolean(default=True)
    failing_since = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    disabled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class WebhookDelivery(Table, tablename="webhook_delivery"):
    """The outbox and the delivery log in one: a row is written in the transaction of the change it
    tells about, and then records its attempts."""

    id = UUID(primary_key=True)
    webhook = ForeignKey(Webhook, on_delete=OnDelete.cascade)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    type = Varchar(length=40)
    body = Text()  # the JSON body, fixed when written: every attempt sends the same bytes
    attempt = Integer(default=0)
    status = Varchar(length=16)
    response_code = Integer(null=True, default=None)
    last_error = Text(null=True, default=None)
    # When it is due (first attempt, retry, or a running attempt's lease running out); null once final.
    next_attempt_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
