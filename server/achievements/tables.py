from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User


class AchievementAward(Table, tablename="achievement_award"):
    """One row per user and achievement (unique): awarding twice is a no-op, and nothing revokes it."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    key = Varchar(length=64)
    unlocked_at = Timestamptz()
