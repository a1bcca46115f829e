"""Habit.strengthSeries (contract v2): strength day by day from the service, the same numbers as `strength`."""

from __future__ import annotations

from datetime import timedelta

from server import clock
from tests import factories
from tests.integration.api import Api

SERIES = """query($id: ID!, $f: Date!, $t: Date!) { habit(id: $id) { strength startDate
  strengthSeries(from: $f, to: $t) { from to values } } }"""


async def test_the_series_ends_today_on_the_habits_strength(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=20)
    walk = await factories.habit(me, start_date=start)
    await factories.history(me, walk.id, [start + timedelta(days=i) for i in range(0, 21, 2)])
    # asked from before the start to after today
    got = (await api.data(SERIES, {"id": str(walk.id), "f": (start - timedelta(days=3)).isoformat(),
                                   "t": (today + timedelta(days=5)).isoformat()}))["habit"]
    series = got["strengthSeries"]
    assert series["from"] == (start - timedelta(days=3)).isoformat()
    assert series["to"] == today.isoformat()  # nothing is known ahead
    assert len(series["values"]) == 3 + 21
    assert series["values"][:3] == [0.0, 0.0, 0.0]  # before startDate
    assert series["values"][-1] == got["strength"]
    # done days raise it, missed days let it fade
    assert series["values"][3] > 0 and series["values"][4] < series["values"][3]


async def test_a_series_wholly_ahead_is_empty(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    walk = await factories.habit(me, start_date=today)
    f = today + timedelta(days=1)
    series = (await api.data(SERIES, {"id": str(walk.id), "f": f.isoformat(),
                                      "t": (f + timedelta(days=9)).isoformat()}))["habit"]["strengthSeries"]
    assert series == {"from": f.isoformat(), "to": today.isoformat(), "values": []}


async def test_the_range_is_checked_as_days_is(api: Api) -> None:
    me = await factories.user()
    api.as_user(me)
    walk = await factories.habit(me)
    assert await api.codes(SERIES, {"id": str(walk.id), "f": "2026-03-10", "t": "2026-03-01"}) == ["BAD_USER_INPUT"]
    assert await api.codes(SERIES, {"id": str(walk.id), "f": "2020-01-01", "t": "2026-01-01"}) == ["BAD_USER_INPUT"]
    # 1,000 days is the most
    assert await api.codes(SERIES, {"id": str(walk.id), "f": "2023-01-01", "t": "2025-09-26"}) == []
