"""The single walk over a habit's days that decides each day's status, the streak and the freezes."""

from dataclasses import dataclass
from datetime import date

from server.habits.days import date_range, week_start
from server.habits.intervals import covered, rolling_totals
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
    """QUIT habits are walked daily, WEEKLY BUILD habits per calendar week, INTERVAL ones over Loop's
    rolling intervals, other habits per scheduled day."""
    if today < rules.start_date:
        return Timeline(rules.start_date, today, (), 0, 0, 0)
    if rules.kind is Kind.QUIT:
        return _walk_quit(rules, log, today)
    period = rules.schedule.period
    if period is Period.WEEKLY:
        return _walk_weekly(rules, log, today)
    if period is Period.INTERVAL:
        statuses = (interval_totals_statuses if rules.schedule.total else interval_statuses)(rules, log, today)
        current, longest = interval_streaks(statuses)
        return Timeline(rules.start_date, today, tuple(statuses), current, longest, 0)
    return _walk_scheduled_days(rules, log, today)


def _walk_scheduled_days(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    quantities, skips, target, schedule = log.quantities, log.skips, rules.target, rules.schedule
    # Schedule.is_due, unrolled: this loop runs once per day of every habit's history.
    every_day = schedule.period is not Period.WEEKDAYS
    weekdays = schedule.weekdays
    get = quantities.get
    statuses: list[DayStatus] = []
    append = statuses.append
    streak = longest = held = 0
    # Done scheduled days since the streak last reset; freezes are earned on multiples of 7.
    run = 0
    for day in date_range(rules.start_date, today):
        quantity = get(day, 0.0)
        if not (every_day or day.isoweekday() in weekdays):
            append(_unscheduled_status(quantity, day in skips, target))
            continue
        if quantity >= target:
            append(DayStatus.DONE)
            streak += 1
            run += 1
            if run % FREEZE_EARN_RUN == 0:
                held = min(MAX_FREEZES, held + 1)
            # Only a done day lengthens the streak, so only it can set a new longest.
            if streak > longest:
                longest = streak
            continue
        if day in skips:
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
        append(status)
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


def _by_offset(rules: HabitRules, log: HabitLog, today: date) -> tuple[list[float], frozenset[int]]:
    """Quantities and skipped days as offsets from start_date through today: no date object per day."""
    first, size = rules.start_date.toordinal(), (today - rules.start_date).days + 1
    quantities = [0.0] * size
    for day, quantity in log.quantities.items():
        offset = day.toordinal() - first
        if 0 <= offset < size:
            quantities[offset] = quantity
    skipped = frozenset(o for o in (d.toordinal() - first for d in log.skips) if 0 <= o < size)
    return quantities, skipped


def interval_statuses(rules: HabitRules, log: HabitLog, today: date) -> list[DayStatus]:
    """INTERVAL day by day, as Loop marks it: DONE at the target, else SKIPPED, else COVERED inside an
    interval, else MISSED (today: PENDING); something short of the target is PARTIAL."""
    schedule = rules.schedule
    assert schedule.times is not None and schedule.days is not None
    target = rules.target
    quantities, skipped = _by_offset(rules, log, today)
    first = rules.start_date.toordinal()
    done = [first + offset for offset, quantity in enumerate(quantities) if quantity >= target]
    cover = covered(done, schedule.times, schedule.days, first, today.toordinal())
    last = len(quantities) - 1
    statuses: list[DayStatus] = []
    append = statuses.append
    for offset, quantity in enumerate(quantities):
        if quantity >= target:
            append(DayStatus.DONE)
        elif offset in skipped:
            append(DayStatus.SKIPPED)
        elif cover[offset]:
            append(DayStatus.COVERED)
        elif quantity > 0:
            append(DayStatus.PARTIAL)
        else:
            append(DayStatus.PENDING if offset == last else DayStatus.MISSED)
    return statuses


def interval_totals_statuses(rules: HabitRules, log: HabitLog, today: date) -> list[DayStatus]:
    """INTERVAL with a total: a day is met when the last `days` days (it included) add up to the target;
    met with a check-in that day is DONE, without one COVERED; SKIPPED, PARTIAL, MISSED and PENDING
    as for other habits."""
    # The same window as strength's: Loop's denominator (n in n days is every day, as Loop stores it).
    window = rules.schedule.frequency()[1]
    target = rules.target
    quantities, skipped = _by_offset(rules, log, today)
    totals = rolling_totals(quantities, window)
    last = len(quantities) - 1
    statuses: list[DayStatus] = []
    append = statuses.append
    for offset, quantity in enumerate(quantities):
        met = totals[offset] >= target
        if met and quantity > 0:
            append(DayStatus.DONE)
        elif offset in skipped:
            append(DayStatus.SKIPPED)
        elif met:
            append(DayStatus.COVERED)
        elif quantity > 0:
            append(DayStatus.PARTIAL)
        else:
            append(DayStatus.PENDING if offset == last else DayStatus.MISSED)
    return statuses


def interval_streaks(statuses: list[DayStatus], current: int = 0, longest: int = 0,
                     ends_today: bool = True) -> tuple[int, int]:
    """(current, longest) streak after these days, resumed from `current`/`longest`: DONE and COVERED
    days add one (Loop counts covered days), SKIPPED days keep it, any other day resets it, except
    today (the last day when `ends_today`), which can still be done."""
    last = len(statuses) - 1 if ends_today else -1
    for index, status in enumerate(statuses):
        if status is DayStatus.DONE or status is DayStatus.COVERED:
            current += 1
            if current > longest:
                longest = current
        elif status is not DayStatus.SKIPPED and index != last:
            current = 0
    return current, longest


def done_day_streaks(statuses: tuple[DayStatus, ...] | list[DayStatus]) -> tuple[int, int]:
    """(current, longest) count of DONE days in a row, the last status being today's: COVERED, SKIPPED,
    FROZEN and NOT_DUE days neither add nor break, today not done yet does not break, any other day
    does. It is the streak rule of scheduled days, applied to INTERVAL habits where achievements and
    program steps ask for "N days in a row": check-in days, not days a check-in happened to cover."""
    current = longest = 0
    last = len(statuses) - 1
    for index, status in enumerate(statuses):
        if status is DayStatus.DONE:
            current += 1
            if current > longest:
                longest = current
        elif status is DayStatus.MISSED or (status is DayStatus.PARTIAL and index != last):
            current = 0
    return current, longest


def _walk_quit(rules: HabitRules, log: HabitLog, today: date) -> Timeline:
    statuses: list[DayStatus] = []
    streak = longest = 0
    limit = rules.limit
    for day in date_range(rules.start_date, today):
        # A day whose check-ins add up to more than the limit (by default: any check-in) is a slip.
        if log.quantities.get(day, 0.0) > limit:
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
