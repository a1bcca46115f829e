"""Reminders, their deliveries, the browsers that receive Web Push, and the server's VAPID key."""

from __future__ import annotations

from piccolo.columns import UUID, Boolean, Date, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.habits.tables import Habit


class Reminder(Table, tablename="reminder"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    habit = ForeignKey(Habit, on_delete=OnDelete.cascade, index=True)
    time = Varchar(length=5)  # local wall clock "HH:MM"
    weekdays = Varchar(length=16, default="")  # "1,3,5"; empty: the habit's scheduled days
    enabled = Boolean(default=True)
    # The next firing, from the owner's current profile: the scheduler's only way in (indexed), so an
    # idle user costs nothing. NULL when disabled. Recomputed on set, on a profile change, after firing.
    next_due_at = Timestamptz(null=True, default=None, index=True)
    next_due_day = Date(null=True, default=None)  # the habit day of next_due_at
    fired_day = Date(null=True, default=None)  # the last habit day handled: never fired twice
    created_at = Timestamptz()


class ReminderDelivery(Table, tablename="reminder_delivery"):
    """One row per (reminder, habit day, channel), unique: written before sending, so each channel
    gets a reminder at most once however many workers pick it up or crash."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    reminder = ForeignKey(Reminder, on_delete=OnDelete.cascade)
    day = Date()
    channel = Varchar(length=16)
    due_at = Timestamptz()
    created_at = Timestamptz()


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's Web Push subscription (its push service endpoint and its RFC 8291 keys)."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    endpoint = Text(unique=True)
    p256dh = Varchar(length=128)
    auth = Varchar(length=64)
    user_agent = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()


class VapidKey(Table, tablename="vapid_key"):
    """The server's VAPID key pair when scaled out (every server and worker signs with the same key)."""

    name = Varchar(length=32, primary_key=True)
    private_pem = Text()
    created_at = Timestamptz()
