from __future__ import annotations

from piccolo.columns import UUID, Date, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User


class JournalEntry(Table, tablename="journal_entry"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    prompt = Text(null=True, default=None)
    body = Text()
    step_key = Varchar(length=64, null=True, default=None)
    day = Date()  # the writer's local day, fixed at writing time
    created_at = Timestamptz()
