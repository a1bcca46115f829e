"""Habit strength: Loop Habit Tracker's exponentially smoothed score, from 0 to 100."""

import math
from datetime import date

from server.habits.days import date_range
from server.habits.intervals import rolling_totals
from server.habits.model import HabitLog, HabitRules, Kind

# The score halves its distance to a habit's recent performance in 13 periods.
_HALF_LIFE_PERIODS = 13
# Windows up to two weeks (every DAILY, WEEKDAYS and WEEKLY habit) are summed afresh each day; longer
# ones (INTERVAL) keep a running sum.
_SLICED_WINDOW_MAX = 14
_MICRO = 1_000_000


def decay(num: int, den: int) -> float:
    """Each day the previous score keeps the weight m = 0.5 ** (sqrt(num / den) / 13)."""
    return math.pow(0.5, math.sqrt(num / den) / _HALF_LIFE_PERIODS)


def strength_scores(rules: HabitRules, log: HabitLog, today: date, since: date | None = None, s: float = 0.0,
                    scale: float = 100.0) -> list[float]:
    """Strength on each day from start_date (or `since`) to today: s = s*m + v*(1 - m) from 0 (or from
    `s`, the raw score from 0 to 1 at the end of the day before `since`: a stored checkpoint's),
    skipped days leave s unchanged. Resuming gives the same floats as walking from the start: the
    recurrence takes the same steps, and each day's window is summed from the log as it would be.
    `scale` 100 gives strength (0-100); 1 the raw score a checkpoint keeps."""
    first = rules.start_date if since is None or since < rules.start_date else since
    if rules.kind is Kind.QUIT:
        return _quit_scores(rules, log, first, today, s, scale)
    if rules.schedule.total:
        return _total_scores(rules, log, first, today, s, scale)
    return _build_scores(rules, log, first, today, s, scale)


def strength_on(rules: HabitRules, log: HabitLog, today: date) -> float:
    """Strength today; 0 before start_date, for every kind of habit."""
    scores = strength_scores(rules, log, today)
    return scores[-1] if scores else 0.0


def window_days(rules: HabitRules) -> int:
    """How many days (the day itself included) one day's strength step reads from the log."""
    if rules.kind is Kind.QUIT:
        return 1
    num, den = rules.schedule.frequency()
    if rules.schedule.total:
        return den
    return 2 * den if num < den else den


def _window_start(rules: HabitRules, first: date, window: int) -> date:
    """The first day the window of `first` reaches back to, never before start_date (days before count 0)."""
    return date.fromordinal(max(rules.start_date.toordinal(), first.toordinal() - (window - 1)))


def _build_scores(rules: HabitRules, log: HabitLog, first: date, today: date, s: float,
                  scale: float) -> list[float]:
    num, den = rules.schedule.frequency()
    m = decay(num, den)
    if num < den:
        # Loop judges sparse habits over two periods so that one well-placed check-in
        # is not the difference between a perfect and a failed window.
        num, den = 2 * num, 2 * den
    target, skips, keep = rules.target, log.skips, 1 - m
    # Resuming from `first`, the days its window reaches back to are read too (indexes below `skip`).
    back = _window_start(rules, first, den)
    skip = (first - back).days
    days = list(date_range(back, today))
    get = log.quantities.get
    quantities = [get(day, 0.0) for day in days]
    # Negative totals would be a data error; they count as nothing rather than as debt.
    shares = [0.0 if q <= 0 else 1.0 if q >= target else q / target for q in quantities]
    if den == 1 and num == 1:
        # A one-day window (daily habits): the window's sum is the day's own share, exactly.
        ratios = shares
    elif den > _SLICED_WINDOW_MAX:
        # Long INTERVAL windows (up to 730 days): a running sum, kept exact in millionths of a share
        # (whole check-ins, all Loop has, stay whole), instead of summing every window afresh.
        micro = [round(share * _MICRO) for share in shares]
        running = 0
        ratios = []
        for index, amount in enumerate(micro):
            running += amount
            if index >= den:
                running -= micro[index - den]
            ratios.append(running / (num * _MICRO))
    else:
        # Summed afresh each day (at most 14 terms) rather than as a running total, which
        # would drift off exact values like 1.0 once partial shares have left the window.
        # Days before start_date fall outside the slice and so count as 0.
        ratios = [sum(shares[index - den + 1 if index >= den else 0 : index + 1]) / num
                  for index in range(len(shares))]
    # A skipped day short of its target leaves the score unchanged.
    held = {index for index, day in enumerate(days) if day in skips and quantities[index] < target} if skips else ()
    scores: list[float] = []
    append = scores.append
    for index in range(skip, len(ratios)):
        if index not in held:
            ratio = ratios[index]
            s = s * m + (1.0 if ratio >= 1 else ratio) * keep
        append(scale * s)
    return scores


def _total_scores(rules: HabitRules, log: HabitLog, first: date, today: date, s: float,
                  scale: float) -> list[float]:
    """Loop's numeric score: v = min(1, the last `days` days' total / target), the window never doubled."""
    num, den = rules.schedule.frequency()
    # Loop's window is its denominator, so n in n days (stored by Loop as 1/1) totals one day.
    window = den
    m = decay(num, den)
    keep, target, skips = 1 - m, rules.target, log.skips
    get = log.quantities.get
    back = _window_start(rules, first, window)
    skip = (first - back).days
    days = list(date_range(back, today))
    totals = rolling_totals([get(day, 0.0) for day in days], window)
    scores: list[float] = []
    append = scores.append
    for day, total in zip(days[skip:], totals[skip:], strict=True):
        # A skipped day leaves the score unchanged (Loop's SKIP), whatever was logged on it.
        if day not in skips:
            s = s * m + min(1.0, total / target) * keep
        append(scale * s)
    return scores


def _quit_scores(rules: HabitRules, log: HabitLog, first: date, today: date, s: float,
                 scale: float) -> list[float]:
    """QUIT: from 0, each day v = 1 when clean and 0 on a slip (more than the limit logged); a skipped
    clean day leaves the score unchanged."""
    m = decay(1, 1)
    keep, limit, skips = 1 - m, rules.limit, log.skips
    get = log.quantities.get
    scores: list[float] = []
    append = scores.append
    for day in date_range(first, today):
        if get(day, 0.0) > limit:
            s = s * m
        elif day not in skips:
            s = s * m + keep
        append(scale * s)
    return scores
