"""The dashboard-shaped query costs a constant number of SQL statements, whatever the habit count."""

from __future__ import annotations

from datetime import UTC, date, datetime

from server.database import count_queries
from tests import factories
from tests.integration.api import Api

DASHBOARD = """query($f: Date!, $t: Date!) { me { id today } habits {
  id name currentStreak longestStreak strength doneToday freezesHeld streakUnit
  days(from: $f, to: $t) { date status quantity }
  checkIns(first: 5) { edges { node { id quantity habit { id } } } pageInfo { hasNextPage } } } }"""


async def _user_with_habits(api: Api, n: int) -> None:
    me = await factories.user()
    api.as_user(me)
    for i in range(n):
        habit = await factories.habit(me, f"Habit {i}", start_date=date(2026, 1, 1))
        for hour in (7, 8):
            await factories.check_in(me, habit.id, occurred_at=datetime(2026, 1, 1 + i % 5, hour, tzinfo=UTC))


async def _count(api: Api) -> tuple[int, int]:
    variables = {"f": "2026-01-01", "t": "2026-01-30"}
    with count_queries() as counter:
        data = await api.data(DASHBOARD, variables)
    return counter.count, len(data["habits"])


async def test_dashboard_query_count_does_not_grow_with_habits(api: Api) -> None:
    await _user_with_habits(api, 2)
    small, small_n = await _count(api)
    await _user_with_habits(api, 20)
    large, large_n = await _count(api)
    assert (small_n, large_n) == (2, 20)
    # token look-up, habit list, check-in totals, skips, check-in page ids, check-in rows
    assert small == large == 6
