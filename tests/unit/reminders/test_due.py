"""Whether a reminder fires: the habit is due that local day and nothing settles it yet."""

from datetime import date

import pytest

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
