from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User


class StepUnlock(Table, tablename="step_unlock"):
    """A step a user has unlocked (unique per user and step); unlocks are never revoked."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    step_key = Varchar(length=64)
    content_version = Integer()  # the step's version when it unlocked; later edits never re-lock it
    unlocked_at = Timestamptz()
