"""The single walk over a habit's days that decides each day's status, the streak and the freezes."""

from dataclasses import dataclass
from datetime import date

from server.habits.days import date_range, week_start
from server.habits.intervals import covered, longest_interval, rolling_totals
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period

# Seven consecutive done scheduled days earn one streak freeze.
FREEZE_EARN_RUN = 7
MAX_FREEZES = 2


@dataclass(frozen=True, slots=True)
class WalkState:
    """What the streak walk carries from one day to the next: enough to resume it after that day."""

    streak: int = 0
    longest: int = 0
    freezes: int = 0
    run: int = 0  # done scheduled days since the streak last reset (a freeze on every 7th)


START = WalkState()


@dataclass(frozen=True, slots=True)
class Timeline:
    """Each day's status from `start` (start_date, or the day a walk resumed from) to the last day
    walked (today, unless told to stop earlier), and the streak state after it."""

    start: date
    today: date
    statuses: tuple[DayStatus, ...]
    current_streak: int
    longest_streak: int
    freezes_held: int
    run: int = 0
    origin: date | None = None  # the habit's start_date when the walk resumed after it

    def status(self, day: date) -> DayStatus:
        """Days after today are FUTURE, days before start_date NOT_DUE, the others as walked."""
        if day > self.today:
            return DayStatus.FUTURE
        if day < self.start:
            if self.origin is not None and day >= self.origin:
                raise ValueError(f"{day} is before this walk resumed ({self.start})")
            return DayStatus.NOT_DUE
        return self.statuses[(day - self.start).days]

    @property
    def state(self) -> WalkState:
        return WalkState(self.current_streak, self.longest_streak, self.freezes_held, self.run)


def walk(rules: HabitRules, log: HabitLog, today: date, since: date | None = None, state: WalkState = START,
         until: date | None = None) -> Timeline:
    """QUIT habits are walked daily, WEEKLY BUILD habits per calendar week, INTERVAL ones over Loop's
    rolling intervals, other habits per scheduled day.

    From `since` with `state` (the state after the day before it, as a checkpoint stores it) the walk
    resumes instead of starting at start_date; it stops after `until` (default today). A WEEKLY
    habit resumes only on a Monday and stops only on a Sunday or today (its days are judged per
    week); every day before `until` is judged as in the past, today as today."""
    start = rules.start_date
    if today < start:
        return Timeline(start, today, (), 0, 0, 0)
    first = start if since is None or since <= start else since
    last = today if until is None or until > today else until
    origin = start if first != start else None
    if first == start:
        state = START
    if rules.kind is Kind.QUIT:
        return _walk_quit(rules, log, first, last, today, state, origin)
    period = rules.schedule.period
    if period is Period.WEEKLY:
        return _walk_weekly(rules, log, first, last, today, state, origin)
    if period is Period.INTERVAL:
        make = interval_totals_statuses if rules.schedule.total else interval_statuses
        statuses = make(rules, log, today, first, last)
        current, longest = interval_streaks(statuses, state.streak, state.longest, ends_today=last == today)
        return Timeline(first, today, tuple(statuses), current, longest, 0, 0, origin)
    return _walk_scheduled_days(rules, log, first, last, today, state, origin)


def _walk_scheduled_days(rules: HabitRules, log: HabitLog, first: date, last: date, today: date,
                         state: WalkState, origin: date | None) -> Timeline:
    quantities, skips, target, schedule = log.quantities, log.skips, rules.target, rules.schedule
    # Schedule.is_due, unrolled: this loop runs once per day of every habit's history.
    every_day = schedule.period is not Period.WEEKDAYS
    weekdays = schedule.weekdays
    get = quantities.get
    statuses: list[DayStatus] = []
    append = statuses.append
    streak, longest, held = state.streak, state.longest, state.freezes
    # Done scheduled days since the streak last reset; freezes are earned on multiples of 7.
    run = state.run
    for day in date_range(first, last):
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
    return Timeline(first, today, tuple(statuses), streak, longest, held, run, origin)


def _unscheduled_status(quantity: float, skipped: bool, target: float) -> DayStatus:
    if quantity >= target:
        return DayStatus.DONE
    if quantity > 0:
        return DayStatus.PARTIAL
    return DayStatus.SKIPPED if skipped else DayStatus.NOT_DUE


def _walk_weekly(rules: HabitRules, log: HabitLog, first: date, last: date, today: date, state: WalkState,
                 origin: date | None) -> Timeline:
    times_per_week = rules.schedule.times_per_week
    if times_per_week is None:
        raise ValueError("a weekly schedule needs times_per_week")
    days = list(date_range(first, last))
    # Empty days start as NOT_DUE; they turn MISSED once their week is over and failed.
    statuses = [
        _unscheduled_status(log.quantities.get(day, 0.0), day in log.skips, rules.target) for day in days
    ]
    first_week, current_week = week_start(rules.start_date), week_start(today)
    streak, longest = state.streak, state.longest
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
    return Timeline(first, today, tuple(statuses), streak, longest, 0, 0, origin)


def _by_offset(log: HabitLog, first: date, last: date) -> tuple[list[float], frozenset[int]]:
    """Quantities and skipped days as offsets from `first` through `last`: no date object per day."""
    low, size = first.toordinal(), (last - first).days + 1
    quantities = [0.0] * size
    for day, quantity in log.quantities.items():
        offset = day.toordinal() - low
        if 0 <= offset < size:
            quantities[offset] = quantity
    skipped = frozenset(o for o in (d.toordinal() - low for d in log.skips) if 0 <= o < size)
    return quantities, skipped


def _reach_back(rules: HabitRules, first: date, days: int) -> date:
    """`days - 1` days before `first`, but not before start_date (nothing counts before it)."""
    return date.fromordinal(max(rules.start_date.toordinal(), first.toordinal() - (days - 1)))


def interval_statuses(rules: HabitRules, log: HabitLog, today: date, first: date | None = None,
                      last: date | None = None) -> list[DayStatus]:
    """INTERVAL day by day from `first` (default start_date) to `last` (default today), as Loop marks
    it: DONE at the target, else SKIPPED, else COVERED inside an interval, else MISSED (today:
    PENDING); something short of the target is PARTIAL.

    A day from `first` on can only be covered by an interval beginning at most one interval's length
    before `first` (intervals only slide back so far that they still hold their last done day), and an
    interval's place depends only on the done days from its own first one on (snapping runs newest
    first): so the done days from there through today give exactly the statuses a walk from
    start_date gives."""
    schedule = rules.schedule
    assert schedule.times is not None and schedule.days is not None
    first = rules.start_date if first is None else first
    last = today if last is None else last
    target = rules.target
    back = _reach_back(rules, first, longest_interval(schedule.days))
    quantities, skipped = _by_offset(log, back, today)
    low = back.toordinal()
    done = [low + offset for offset, quantity in enumerate(quantities) if quantity >= target]
    cover = covered(done, schedule.times, schedule.days, first.toordinal(), last.toordinal())
    skip = (first - back).days
    pending = (today - back).days
    statuses: list[DayStatus] = []
    append = statuses.append
    for index, quantity in enumerate(quantities[skip: skip + len(cover)]):
        offset = skip + index
        if quantity >= target:
            append(DayStatus.DONE)
        elif offset in skipped:
            append(DayStatus.SKIPPED)
        elif cover[index]:
            append(DayStatus.COVERED)
        elif quantity > 0:
            append(DayStatus.PARTIAL)
        else:
            append(DayStatus.PENDING if offset == pending else DayStatus.MISSED)
    return statuses


def interval_totals_statuses(rules: HabitRules, log: HabitLog, today: date, first: date | None = None,
                             last: date | None = None) -> list[DayStatus]:
    """INTERVAL with a total, from `first` to `last` (default: start_date to today): a day is met when
    the last `days` days (it included) add up to the target; met with a check-in that day is DONE,
    without one COVERED; SKIPPED, PARTIAL, MISSED and PENDING as for other habits."""
    # The same window as strength's: Loop's denominator (n in n days is every day, as Loop stores it).
    window = rules.schedule.frequency()[1]
    first = rules.start_date if first is None else first
    last = today if last is None else last
    target = rules.target
    back = _reach_back(rules, first, window)
    quantities, skipped = _by_offset(log, back, last)
    totals = rolling_totals(quantities, window)
    skip = (first - back).days
    pending = (today - back).days
    statuses: list[DayStatus] = []
    append = statuses.append
    for offset in range(skip, len(quantities)):
        quantity = quantities[offset]
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
            append(DayStatus.PENDING if offset == pending else DayStatus.MISSED)
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


def _walk_quit(rules: HabitRules, log: HabitLog, first: date, last: date, today: date, state: WalkState,
               origin: date | None) -> Timeline:
    statuses: list[DayStatus] = []
    streak, longest = state.streak, state.longest
    limit = rules.limit
    for day in date_range(first, last):
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
    return Timeline(first, today, tuple(statuses), streak, longest, 0, 0, origin)
