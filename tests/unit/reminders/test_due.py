"""Whether a reminder fires: the habit is due that local day and nothing settles it yet."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.habits.model import HabitLog, HabitRules, Kind, Period, Schedule
from server.reminders.due import habit_open_on

MON = date(2024, 1, 15)  # a Monday
START = date(2024, 1, 1)


def rules(schedule: Schedule, kind: Kind = Kind.BUILD, target: float = 1.0) -> HabitRules:
    return HabitRules(kind, schedule, target, START)


DAILY = rules(Schedule(Period.DAILY))


@pytest.mark.parametrize(
    ("habit", "log", "day", "expected"),
    [
        # daily: open until done; a partial amount is still open; skipped or done is settled
        (DAILY, HabitLog({}), MON, True),
        (DAILY, HabitLog({MON: 1.0}), MON, False),
        (rules(Schedule(Period.DAILY), target=5), HabitLog({MON: 2.0}), MON, True),
        (DAILY, HabitLog({}, frozenset({MON})), MON, False),
        # before the habit starts
        (DAILY, HabitLog({}), date(2023, 12, 31), False),
        # weekdays: Monday is due, Tuesday is not
        (rules(Schedule(Period.WEEKDAYS, (1, 3))), HabitLog({}), MON, True),
        (rules(Schedule(Period.WEEKDAYS, (1, 3))), HabitLog({}), date(2024, 1, 16), False),
        # ... also with something logged on that day off (hypothesis found it)
        (rules(Schedule(Period.WEEKDAYS, (2,))), HabitLog({MON: 0.5}), MON, False),
        # weekly, 2 a week: open on Wednesday with one done; settled with two done, or one done and one skipped
        (rules(Schedule(Period.WEEKLY, times_per_week=2)), HabitLog({MON: 1.0}), date(2024, 1, 17), True),
        (rules(Schedule(Period.WEEKLY, times_per_week=2)), HabitLog({MON: 1.0, date(2024, 1, 16): 1.0}),
         date(2024, 1, 17), False),
        (rules(Schedule(Period.WEEKLY, times_per_week=2)), HabitLog({MON: 1.0}, frozenset({date(2024, 1, 16)})),
         date(2024, 1, 17), False),
        # ... a new week opens again
        (rules(Schedule(Period.WEEKLY, times_per_week=2)), HabitLog({MON: 1.0, date(2024, 1, 16): 1.0}),
         date(2024, 1, 22), True),
        # interval, 2 in any 3 days: Monday and Tuesday done cover Wednesday; Thursday is open again
        (rules(Schedule(Period.INTERVAL, times=2, days=3)), HabitLog({MON: 1.0, date(2024, 1, 16): 1.0}),
         date(2024, 1, 17), False),
        (rules(Schedule(Period.INTERVAL, times=2, days=3)), HabitLog({MON: 1.0, date(2024, 1, 16): 1.0}),
         date(2024, 1, 18), True),
        # quit: a nudge every day unless skipped
        (rules(Schedule(Period.DAILY), Kind.QUIT), HabitLog({MON: 1.0}), MON, True),
        (rules(Schedule(Period.DAILY), Kind.QUIT), HabitLog({}, frozenset({MON})), MON, False),
    ],
)
def test_habit_open_on(habit: HabitRules, log: HabitLog, day: date, expected: bool) -> None:
    assert habit_open_on(habit, log, day) is expected


@settings(max_examples=60, deadline=None)
@given(
    weekdays=st.frozensets(st.integers(1, 7), min_size=1).map(lambda d: tuple(sorted(d))),
    daily=st.booleans(),
    target=st.sampled_from([1.0, 3.0]),
    history=st.dictionaries(st.integers(0, 20), st.sampled_from([0.5, 1.0, 3.0]), max_size=15),
    skipped=st.frozensets(st.integers(0, 20), max_size=5),
    offset=st.integers(0, 20),
)
def test_a_scheduled_habit_is_open_exactly_when_due_not_done_and_not_skipped(
        weekdays: tuple[int, ...], daily: bool, target: float, history: dict[int, float], skipped: frozenset[int],
        offset: int) -> None:
    schedule = Schedule(Period.DAILY) if daily else Schedule(Period.WEEKDAYS, weekdays)
    habit = rules(schedule, target=target)
    day = START + timedelta(days=offset)
    log = HabitLog({START + timedelta(days=d): q for d, q in history.items()},
                   frozenset(START + timedelta(days=d) for d in skipped))
    expected = schedule.is_due(day) and log.quantities.get(day, 0.0) < target and day not in log.skips
    assert habit_open_on(habit, log, day) is expected
