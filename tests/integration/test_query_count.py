"""The dashboard-shaped query costs a constant number of SQL statements, whatever the habit count."""

from __future__ import annotations

from server.database import count_queries
from tests.integration.api import Api

DASHBOARD = """query($f: Date!, $t: Date!) { me { id today } habits {
  id name currentStreak longestStreak strength doneToday freezesHeld streakUnit
  days(from: $f, to: $t) { date status quantity }
  checkIns(first: 5) { edges { node { id quantity habit { id } } } pageInfo { hasNextPage } } } }"""


async def _user_with_habits(api: Api, n: int) -> None:
    await api.sign_up()
    for i in range(n):
        habit = await api.create_habit(name=f"Habit {i}", startDate="2026-01-01")
        for hour in (7, 8):
            await api.check_in(habit["id"], occurredAt=f"2026-01-0{1 + i % 5}T{hour:02d}:00:00+00:00")


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
