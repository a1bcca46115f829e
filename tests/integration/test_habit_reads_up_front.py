"""A habit list (and `habit(id)`) walks its habits up front when the selection reads the walk
(server/graphql/lookahead.py): the answers are those of the fields loading their own readings, and
one batch serves every field, whatever days they ask from."""

from __future__ import annotations

from datetime import date, timedelta

from server import clock
from server.database import count_queries
from server.habits.model import Kind
from tests import factories
from tests.integration.api import Api

SUMMARY = "currentStreak longestStreak strength doneToday freezesHeld"


async def _user_with_history(api: Api) -> tuple[list[str], str]:
    me = await factories.user()
    api.as_user(me)
    today = me.account.today(clock.now())
    start = today - timedelta(days=120)
    ids = []
    for i, kind in enumerate((Kind.BUILD, Kind.BUILD, Kind.QUIT)):
        habit = await factories.habit(me, f"Habit {i}", kind=kind, start_date=start)
        await factories.history(me, habit.id, [start + timedelta(days=d) for d in range(0, 121, 2 + i)],
                                skips=[today - timedelta(days=5 + i)])
        ids.append(str(habit.id))
    return ids, today.isoformat()


async def test_listed_habits_answer_as_habits_reached_another_way(api: Api) -> None:
    ids, _ = await _user_with_history(api)
    listed = (await api.data(f"{{ habits {{ id {SUMMARY} }} }}"))["habits"]
    # a check-in's habit is not walked up front: each of its fields loads its own reading
    for habit_id, got in zip(ids, listed, strict=True):
        page = (await api.data(f"""query($id: ID!) {{ habit(id: $id) {{
          checkIns(first: 1) {{ edges {{ node {{ habit {{ id {SUMMARY} }} }} }} }} }} }}""", {"id": habit_id}))
        assert page["habit"]["checkIns"]["edges"][0]["node"]["habit"] == got
    assert [h["id"] for h in listed] == ids


async def test_one_batch_serves_fields_reading_from_different_days(api: Api) -> None:
    ids, today = await _user_with_history(api)
    day = timedelta(days=1)
    t = date.fromisoformat(today)
    # three ranges from three different days, in a fragment, with a literal and with variables
    query = ("query($f: Date!, $sf: Date!, $t: Date!) { habits { ...Reads "
             f'days(from: "{(t - 7 * day).isoformat()}", to: $t) {{ date status quantity }} }} }} '
             f"fragment Reads on Habit {{ id {SUMMARY} daySeries(from: $f, to: $t) {{ start statuses quantities }} "
             "strengthSeries(from: $sf, to: $t) { from to values } }")
    variables = {"f": (t - 30 * day).isoformat(), "sf": (t - 90 * day).isoformat(), "t": today}
    with count_queries() as counter:
        together = (await api.data(query, variables))["habits"]
    # token, habits, checkpoints, the log from them on: one walk per habit served every field
    assert counter.count == 4
    # and each field gives what it gives asked on its own
    for field in ("days", "daySeries", "strengthSeries"):
        for got in together:
            alone = (await api.data(query.replace("habits {", "habit(id: $id) {").replace("query(", "query($id: ID!, "),
                                    {**variables, "id": got["id"]}))
            assert alone["habit"][field] == got[field]
    assert [h["id"] for h in together] == ids


async def test_a_list_that_reads_nothing_of_the_walk_does_not_walk(api: Api) -> None:
    await _user_with_history(api)
    with count_queries() as counter:
        await api.data("{ habits { id name checkIns(first: 2) { totalCount } } }")
    # token, habits, the check-in pages (ids, then rows) and their counts: no checkpoints, no log
    assert counter.count == 5
