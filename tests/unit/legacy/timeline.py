"""The single walk over a habit's days that decides each day's status, the streak and the freezes."""

from dataclasses import dataclass
from datetime import date

from server.habits.days import date_range, week_start
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period

# Seven consecutive done scheduled days earn one streak freeze.
FREEZE_EARN_RUN = 7
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class Timeline:
    """Each day's status from start_date to today, and the streak state after today."""

    start: date
    today: date
    statuses: tuple[DayStatus, ...]
    current_streak: int
    longest_streak: int
    freezes_held: int

    def status(self, day: date) -> DayStatus:
        """Days after today are FUTURE, days before start_date NOT_DUE, the others as walked."""
        if day > self.today:
            return DayStatus.FUTURE
        if day < self.start:
            return DayStatus.NOT_DUE
        return self.statuses[(day - self.start).days]


def walk(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    """QUIT habits are walked daily, WEEKLY BUILD habits per calendar week, other habits per scheduled day."""
    if today < rules.start_date:
        return Timeline(rules.start_date, today, (), 0, 0, 0)
    if rules.kind is Kind.QUIT:
        return _walk_quit(rules, log, today)
    if rules.schedule.period is Period.WEEKLY:
        return _walk_weekly(rules, log, today)
    return _walk_scheduled_days(rules, log, today)


def _walk_scheduled_days(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    quantities, skips, target, schedule = log.quantities, log.skips, rules.target, rules.schedule
    statuses: list[DayStatus] = []
    streak = longest = held = 0
    # Done scheduled days since the streak last reset; freezes are earned on multiples of 7.
    run = 0
    for day in date_range(rules.start_date, today):
        quantity = quantities.get(day, 0.0)
        if not schedule.is_due(day):
            statuses.append(_unscheduled_status(quantity, day in skips, target))
            continue
        if quantity >= target:
            status = DayStatus.DONE
            streak += 1
            run += 1
            if run % FREEZE_EARN_RUN == 0:
                held = min(MAX_FREEZES, held + 1)
        elif day in skips:
            status = DayStatus.SKIPPED
        elif day == today:
            # Today can still be done, so it is never a miss and never costs a freeze.
            status = DayStatus.PARTIAL if quantity > 0 else DayStatus.PENDING
        elif held > 0:
            held -= 1
            status = DayStatus.FROZEN
        else:
            streak = run = 0
            status = DayStatus.PARTIAL if quantity > 0 else DayStatus.MISSED
        statuses.append(status)
        longest = max(longest, streak)
    return Timeline(rules.start_date, today, tuple(statuses), streak, longest, held)


def _unscheduled_status(quantity: float, skipped: bool, target: float) -> DayStatus:
    if quantity >= target:
        return DayStatus.DONE
    if quantity > 0:
        return DayStatus.PARTIAL
    return DayStatus.SKIPPED if skipped else DayStatus.NOT_DUE


def _walk_weekly(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    times_per_week = rules.schedule.times_per_week
    if times_per_week is None:
        raise ValueError("a weekly schedule needs times_per_week")
    days = list(date_range(rules.start_date, today))
    # Empty days start as NOT_DUE; they turn MISSED once their week is over and failed.
    statuses = [
        _unscheduled_status(log.quantities.get(day, 0.0), day in log.skips, rules.target) for day in days
    ]
    first_week, current_week = week_start(rules.start_date), week_start(today)
    streak = longest = 0
    begin = 0
    while begin < len(days):
        week = week_start(days[begin])
        end = min(len(days), begin + 7 - days[begin].weekday())
        done = statuses[begin:end].count(DayStatus.DONE)
        skipped = statuses[begin:end].count(DayStatus.SKIPPED)
        met = done >= times_per_week
        excused = not met and done + skipped >= times_per_week
        if met:
            streak += 1
        elif not excused and week not in (first_week, current_week):
            # The first week may have begun mid-week and the current one is still open: neither can break.
            streak = 0
        if not met and not excused and week < current_week:
            for index in range(begin, end):
                if statuses[index] is DayStatus.NOT_DUE:
                    statuses[index] = DayStatus.MISSED
        longest = max(longest, streak)
        begin = end
    return Timeline(rules.start_date, today, tuple(statuses), streak, longest, 0)


def _walk_quit(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    statuses: list[DayStatus] = []
    streak = longest = 0
    for day in date_range(rules.start_date, today):
        # Any check-in on a QUIT habit records a slip.
        if log.quantities.get(day, 0.0) > 0:
            status = DayStatus.SLIP
            streak = 0
        elif day in log.skips:
            status = DayStatus.SKIPPED
        else:
            status = DayStatus.CLEAN
            streak += 1
        statuses.append(status)
        longest = max(longest, streak)
    return Timeline(rules.start_date, today, tuple(statuses), streak, longest, 0)
