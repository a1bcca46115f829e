"""INTERVAL habits on random histories: the fast walk against a plain, date-by-date reading of Loop's rules.

The oracle below follows the steps Loop's EntryList and ScoreList take (newest-first lists of dates,
a YES_AUTO map, a score loop over every day) with no shortcut: no ordinals, no difference arrays, no
integer totals. The production code must agree with it on every day.
"""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import habit_days, strength_series, summarize

TODAY = date(2025, 3, 31)


def _size(begin: date, den: int) -> int:
    if den not in (30, 31):
        return den
    length = calendar.monthrange(begin.year, begin.month)[1]
    if begin.day == length:
        after = begin + timedelta(days=1)
        return calendar.monthrange(after.year, after.month)[1]
    return length


def oracle_auto(done_newest_first: list[date], num: int, den: int) -> set[date]:
    """Days Loop marks YES_AUTO or leaves YES_MANUAL inside an interval."""
    if num == den:
        num = den = 1
    spans: list[list[date]] = []
    for i in range(num - 1, len(done_newest_first)):
        begin, center = done_newest_first[i], done_newest_first[i - num + 1]
        size = _size(begin, den)
        if (center - begin).days < size:
            spans.append([begin, center, begin + timedelta(days=size - 1)])
    for i in range(1, len(spans)):
        current, following = spans[i], spans[i - 1]
        gap = (current[2] - following[0]).days
        if gap >= 0:
            shift = timedelta(days=min((current[2] - current[1]).days, gap + 1))
            spans[i] = [current[0] - shift, current[1], current[2] - shift]
    days: set[date] = set()
    for begin, _, end in spans:
        d = begin
        while d <= end:
            days.add(d)
            d += timedelta(days=1)
    return days


def oracle(start: date, quantities: dict[date, float], skips: set[date], target: float, num: int,
           den: int) -> tuple[list[str], int, int, list[float]]:
    """Statuses, (current, longest) streak and the score series from start to TODAY."""
    done = sorted((d for d, q in quantities.items() if start <= d <= TODAY and q >= target), reverse=True)
    auto = oracle_auto(done, num, den)
    statuses: list[str] = []
    d = start
    while d <= TODAY:
        q = quantities.get(d, 0.0)
        if q >= target:
            statuses.append("DONE")
        elif d in skips:
            statuses.append("SKIPPED")
        elif d in auto:
            statuses.append("COVERED")
        elif q > 0:
            statuses.append("PARTIAL")
        else:
            statuses.append("PENDING" if d == TODAY else "MISSED")
        d += timedelta(days=1)
    current = longest = 0
    for index, status in enumerate(statuses):
        if status in ("DONE", "COVERED"):
            current += 1
            longest = max(longest, current)
        elif status != "SKIPPED" and index != len(statuses) - 1:
            current = 0
    f_num, f_den = (1, 1) if num == den else (num, den)
    freq = f_num / f_den
    if freq < 1:
        f_num, f_den = 2 * f_num, 2 * f_den
    m = 0.5 ** (math.sqrt(freq) / 13)
    s, scores = 0.0, []
    d = start
    while d <= TODAY:
        q = quantities.get(d, 0.0)
        if not (d in skips and q < target):
            window = sum(min(1.0, max(0.0, quantities.get(d - timedelta(days=b), 0.0)) / target)
                         for b in range(f_den) if d - timedelta(days=b) >= start)
            s = s * m + min(1.0, window / f_num) * (1 - m)
        scores.append(100 * s)
        d += timedelta(days=1)
    return statuses, current, longest, scores


@st.composite
def histories(draw: st.DrawFn) -> tuple[date, dict[date, float], set[date], float, int, int]:
    days = draw(st.sampled_from([1, 2, 3, 4, 7, 10, 30, 31, 45]))
    times = draw(st.integers(1, days))
    target = draw(st.sampled_from([1.0, 2.0]))
    length = draw(st.integers(1, 160))
    start = TODAY - timedelta(days=length - 1)
    marks = draw(st.lists(st.sampled_from("xxxx..p.s"), min_size=length, max_size=length))
    quantities: dict[date, float] = {}
    skips: set[date] = set()
    for offset, mark in enumerate(marks):
        d = start + timedelta(days=offset)
        if mark == "x":
            quantities[d] = target
        elif mark == "p":
            quantities[d] = target / 2
        elif mark == "s":
            skips.add(d)
    return start, quantities, skips, target, times, days


@settings(max_examples=150, deadline=None)
@given(histories())
def test_interval_habits_follow_loops_rules_day_for_day(history: tuple[date, dict[date, float], set[date], float,
                                                                       int, int]) -> None:
    start, quantities, skips, target, times, days = history
    rules = HabitRules(Kind.BUILD, Schedule(Period.INTERVAL, times=times, days=days), target, start)
    log = HabitLog(quantities, frozenset(skips))

    statuses, current, longest, scores = oracle(start, quantities, skips, target, times, days)

    assert [d.status.value for d in habit_days(rules, log, TODAY, start, TODAY)] == statuses
    summary = summarize(rules, log, TODAY)
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (current, longest, 0)
    assert [s for _, s in strength_series(rules, log, TODAY)] == scores


@settings(max_examples=80, deadline=None)
@given(histories())
def test_every_run_of_times_done_days_within_days_is_covered_from_first_to_last(
        history: tuple[date, dict[date, float], set[date], float, int, int]) -> None:
    start, quantities, _, target, times, days = history
    rules = HabitRules(Kind.BUILD, Schedule(Period.INTERVAL, times=times, days=days), target, start)
    statuses = [d.status for d in habit_days(rules, HabitLog(quantities), TODAY, start, TODAY)]
    done = sorted(d for d, q in quantities.items() if q >= target)
    for first, last in zip(done, done[times - 1:], strict=False):
        if (last - first).days < (28 if days in (30, 31) else days):
            for offset in range((first - start).days, (last - start).days + 1):
                assert statuses[offset] in (DayStatus.DONE, DayStatus.COVERED)


@settings(max_examples=100, deadline=None)
@given(histories())
def test_n_in_seven_days_scores_like_n_times_a_week(history: tuple[date, dict[date, float], set[date], float,
                                                                   int, int]) -> None:
    # The score depends on the frequency only: INTERVAL n/7 and WEEKLY n give the same number every day.
    # (7 in 7 days is every day, as Loop normalises it, while WEEKLY 7 keeps the contract's 7-day window.)
    start, quantities, skips, target, times, _ = history
    times = min(times, 6)
    log = HabitLog(quantities, frozenset(skips))
    interval = HabitRules(Kind.BUILD, Schedule(Period.INTERVAL, times=times, days=7), target, start)
    weekly = HabitRules(Kind.BUILD, Schedule(Period.WEEKLY, times_per_week=times), target, start)
    assert strength_series(interval, log, TODAY) == strength_series(weekly, log, TODAY)
