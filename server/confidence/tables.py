from __future__ import annotations

from piccolo.columns import UUID, Date, DoublePrecision, ForeignKey, OnDelete, Text, Timestamptz
from piccolo.table import Table

from server.accounts.tables import User


class ConfidenceDay(Table, tablename="confidence_day"):
    """The score of each local day (the latest computation of it), for history charts."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    day = Date()
    score = DoublePrecision()
    components = Text()  # JSON: [{key, label, weight, value}]
    computed_at = Timestamptz()
