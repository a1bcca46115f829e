"""INTERVAL schedules day for day as Loop Habit Tracker computes them, tested with Loop's own vectors.

Every expected value marked "Loop:" is transcribed from Loop's tests at iSoron/uhabits commit
5aa8744ef4c8e391c875bbb482e3e79740b5fd81, under uhabits-core/src/jvmTest/java/org/isoron/uhabits/
core/models/: EntryListTest.kt (buildIntervals, snapIntervalsTogether, buildEntriesFromInterval,
recomputeFrom) and ScoreListTest.kt; the "Wake up early" numbers come from Loop's reference export,
uhabits-core/assets/test/csv_export/002 Wake up early/{Checkmarks,Scores}.csv, written by
HabitsCSVExporterTest from HabitFixtures.createShortHabit (uhabits-core/src/jvmMain/.../core/test/).
Loop's tests count days back from today: day(n) is today - n.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.habits.intervals import build_intervals, cover, covered, interval_length, intervals, rolling_totals, snap
from server.habits.model import DayStatus, HabitLog, HabitRules, Kind, Period, Schedule
from server.habits.summary import habit_days, strength_series, summarize

TODAY = date(2015, 1, 25)  # the day Loop's reference export was written
T = TODAY.toordinal()


def day(offset: int) -> int:
    """Loop's day(offset): `offset` days before today, as an ordinal."""
    return T - offset


def interval(times: int, days: int, total: bool = False) -> Schedule:
    return Schedule(Period.INTERVAL, times=times, days=days, total=total)


def _done(*offsets: int) -> list[int]:
    return sorted(day(o) for o in offsets)


# --- EntryList: building, snapping, covering -----------------------------------------------------


def test_build_intervals_weekly() -> None:
    # Loop: testBuildIntervals1, Frequency.WEEKLY
    assert build_intervals(_done(8, 18, 23), 1, 7) == [
        (day(8), day(8), day(2)), (day(18), day(18), day(12)), (day(23), day(23), day(17))]


def test_build_intervals_daily() -> None:
    # Loop: testBuildIntervals2, Frequency.DAILY
    assert build_intervals(_done(8, 18, 23), 1, 1) == [
        (day(8), day(8), day(8)), (day(18), day(18), day(18)), (day(23), day(23), day(23))]


def test_build_intervals_twice_a_week() -> None:
    # Loop: testBuildIntervals3, Frequency.TWO_TIMES_PER_WEEK (day(8) and day(15) lie 7 days apart: none)
    assert build_intervals(_done(8, 15, 18, 22, 23), 2, 7) == [
        (day(18), day(15), day(12)), (day(22), day(18), day(16)), (day(23), day(22), day(17))]


def test_build_intervals_ignore_skipped_days() -> None:
    # Loop: testBuildIntervals4, Frequency(1, 3), a SKIP on day(20) opens nothing
    assert build_intervals(_done(10, 30), 1, 3) == [(day(10), day(10), day(8)), (day(30), day(30), day(28))]


def test_snap_intervals_together() -> None:
    # Loop: testSnapIntervalsTogether1
    original = [(day(8), day(8), day(2)), (day(12), day(12), day(6)), (day(20), day(20), day(14)),
                (day(27), day(27), day(21))]
    assert snap(original) == [(day(8), day(8), day(2)), (day(15), day(12), day(9)),
                              (day(22), day(20), day(16)), (day(29), day(27), day(23))]


def test_snap_never_moves_an_interval_past_its_center() -> None:
    # Loop: testSnapIntervalsTogether2
    assert snap([(day(6), day(4), day(0)), (day(11), day(8), day(5))]) == [
        (day(6), day(4), day(0)), (day(13), day(8), day(7))]


def test_covered_days_once_every_three_days() -> None:
    # Loop: testComputeBoolean, Frequency(1, 3): YES_MANUAL on day 4, 9 and 10 give YES_AUTO on
    # days 2, 3, 7, 8, 11 and 12
    done = _done(4, 9, 10)
    flags = covered(done, 1, 3, day(14), day(0))
    covered_offsets = {14 - i for i, flag in enumerate(flags) if flag}
    assert covered_offsets - {4, 9, 10} == {2, 3, 7, 8, 11, 12}
    assert covered_offsets >= {4, 9, 10}


def test_days_inside_given_intervals_are_covered() -> None:
    # Loop: testAddFromInterval: intervals [2..1], [6..4] and [10..8] (days back) cover those days;
    # day 3, day 7 and day 11 stay outside (UNKNOWN, or the NO that was entered)
    flags = cover([(day(2), day(2), day(1)), (day(6), day(5), day(4)), (day(10), day(8), day(8))], day(11), day(1))
    assert [11 - i for i, flag in enumerate(flags) if not flag] == [11, 7, 3]


def test_interval_statuses_of_loops_reference_export() -> None:
    # Loop: "Wake up early", 2 times in 3 days, checked on these days back from 25 January 2015
    # (HabitFixtures.createShortHabit); its Checkmarks.csv, newest first:
    rules, log = _short_habit()
    statuses = [d.status for d in habit_days(rules, log, TODAY, TODAY - timedelta(days=9), TODAY)]
    loop = ["YES_MANUAL", "NO", "YES_AUTO", "YES_MANUAL", "YES_MANUAL", "YES_MANUAL", "YES_AUTO", "YES_AUTO",
            "YES_MANUAL", "YES_MANUAL"]
    as_ours = {"YES_MANUAL": "DONE", "YES_AUTO": "COVERED", "NO": "MISSED"}
    assert [s.value for s in reversed(statuses)] == [as_ours[v] for v in loop]


def test_interval_strength_of_loops_reference_export() -> None:
    # Loop: "Wake up early" Scores.csv, newest first (4 decimals of 0..1)
    rules, log = _short_habit()
    scores = [round(s / 100, 4) for _, s in strength_series(rules, log, TODAY)]
    assert list(reversed(scores)) == [0.2557, 0.2226, 0.1991, 0.1746, 0.1379, 0.0995, 0.0706, 0.0515, 0.0315,
                                      0.0107]


def test_interval_streak_counts_covered_days() -> None:
    # given the reference habit: a run from day 9 through day 2, then the miss on day 1, then today
    rules, log = _short_habit()

    # when
    summary = summarize(rules, log, TODAY)

    # then covered days count, as in Loop; no freezes on INTERVAL habits
    assert (summary.current_streak, summary.longest_streak, summary.freezes_held) == (1, 8, 0)
    assert summary.done_today is True


def _short_habit() -> tuple[HabitRules, HabitLog]:
    checks = (True, False, False, True, True, True, False, False, True, True)  # today first
    quantities = {TODAY - timedelta(days=i): 1.0 for i, done in enumerate(checks) if done}
    return HabitRules(Kind.BUILD, interval(2, 3), 1.0, TODAY - timedelta(days=9)), HabitLog(quantities)


def test_a_month_is_as_long_as_the_month_an_interval_starts_in() -> None:
    # Loop reads a denominator of 30 or 31 as "a month" when it sizes an interval
    assert interval_length(date(2025, 2, 10).toordinal(), 30) == 28
    assert interval_length(date(2024, 2, 10).toordinal(), 31) == 29
    assert interval_length(date(2025, 1, 31).toordinal(), 30) == 28  # the last day: the next month's length
    assert interval_length(date(2025, 4, 30).toordinal(), 30) == 31
    assert interval_length(date(2025, 4, 30).toordinal(), 29) == 29


def test_times_equal_to_days_is_every_day() -> None:
    # Loop's Frequency stores n/n as 1/1: nothing is covered but the done days themselves
    done = _done(1, 3, 4)
    assert intervals(done, 5, 5) == [(day(1), day(1), day(1)), (day(3), day(3), day(3)), (day(4), day(4), day(4))]
    assert interval(5, 5).frequency() == (1, 1)


# --- ScoreList -------------------------------------------------------------------------------------

E = 1e-6


def _scores(schedule: Schedule, quantities: dict[int, float], target: float = 1.0,
            skips: tuple[int, ...] = ()) -> list[float]:
    """Strength from the oldest entry to today (as Loop scores), newest first, 0..1."""
    start = min([TODAY - timedelta(days=o) for o in (*quantities, *skips)], default=TODAY)
    log = HabitLog({TODAY - timedelta(days=o): q for o, q in quantities.items()},
                   frozenset(TODAY - timedelta(days=o) for o in skips))
    series = strength_series(HabitRules(Kind.BUILD, schedule, target, start), log, TODAY)
    return [s / 100 for _, s in reversed(series)]


YES_NO_20_DAYS = [0.655747, 0.636894, 0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617,
                  0.443734, 0.413270, 0.381137, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.147820,
                  0.101149, 0.051922]


def test_daily_scores() -> None:
    # Loop: YesNoScoreListTest.test_getValue, checked on the last 20 days
    assert _scores(interval(1, 1), dict.fromkeys(range(20), 1.0)) == pytest.approx(YES_NO_20_DAYS, abs=E)


def test_daily_scores_with_skips() -> None:
    # Loop: YesNoScoreListTest.test_getValueWithSkip: skips replace the checks of days 5, 10 and 11
    quantities = {o: 1.0 for o in range(20) if o not in (5, 10, 11)}
    expected = [0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.472617, 0.443734, 0.413270,
                0.381137, 0.347244, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.147820,
                0.101149, 0.051922]
    assert _scores(interval(1, 1), quantities, skips=(5, 10, 11)) == pytest.approx(expected, abs=E)


def test_a_skip_right_after_the_first_check() -> None:
    # Loop: YesNoScoreListTest.test_getValueWithSkip2
    expected = [0.041949, 0.044247, 0.046670, 0.049226, 0.051922, 0.051922]
    assert _scores(interval(1, 1), {5: 1.0}, skips=(4,)) == pytest.approx(expected, abs=E)


def test_missing_one_of_three_a_week_converges_to_two_thirds() -> None:
    # Loop: YesNoScoreListTest.test_imperfectNonDaily: done 2 days of every 7, for 100 weeks
    quantities = {7 * k + i: 1.0 for k in range(100) for i in (0, 1)}
    assert _scores(interval(3, 7), quantities)[0] == pytest.approx(2 / 3, abs=E)
    assert _scores(interval(4, 7), quantities)[0] == pytest.approx(0.5, abs=E)


def test_weekly_on_changing_weekdays_converges_to_one() -> None:
    # Loop: YesNoScoreListTest.test_irregularNonDaily: once a week, first on day 0 then on day 6 of the week
    quantities = {14 * k + i: 1.0 for k in range(100) for i in (0, 13)}
    assert _scores(interval(1, 7), quantities)[0] == pytest.approx(1.0, abs=1e-3)


def test_scores_climb_within_reasonable_time() -> None:
    # Loop: YesNoScoreListTest.shouldAchieveHighScoreInReasonableTime
    assert _scores(interval(1, 1), dict.fromkeys(range(90), 1.0))[0] > 0.99
    weekly = {7 * i: 1.0 for i in range(39)}
    assert _scores(interval(1, 7), weekly)[0] > 0.99
    # the same habit, switched to monthly, with 18 monthly checks added to its weekly ones
    assert _scores(interval(1, 30), weekly | {30 * i: 1.0 for i in range(18)})[0] > 0.99


def test_recompute_after_changing_the_frequency() -> None:
    # Loop: YesNoScoreListTest.test_recompute and test_addThenRemove
    assert _scores(interval(1, 1), {0: 1.0, 1: 1.0})[0] == pytest.approx(0.101149, abs=E)
    assert _scores(interval(1, 2), {0: 1.0, 1: 1.0})[0] == pytest.approx(0.054816, abs=E)
    assert _scores(interval(1, 1), {0: 1.0})[0] == pytest.approx(0.051922, abs=E)
    assert _scores(interval(1, 1), {})[0] == 0.0


def test_numeric_daily_scores() -> None:
    # Loop: NumericalAtLeastScoreListTest.test_getValue: 2 miles a day for 20 days, target 2
    assert _scores(interval(1, 1, total=True), dict.fromkeys(range(20), 2.0), 2.0) == pytest.approx(
        YES_NO_20_DAYS, abs=E)


def test_numeric_every_other_day_totals_the_window() -> None:
    # Loop: NumericalAtLeastScoreListTest.test_recompute
    assert _scores(interval(1, 1, total=True), {0: 2.0, 1: 2.0}, 2.0)[0] == pytest.approx(0.101149, abs=E)
    assert _scores(interval(1, 2, total=True), {0: 2.0, 1: 2.0}, 2.0)[0] == pytest.approx(0.072631, abs=E)


def test_numeric_scores_climb_within_reasonable_time() -> None:
    # Loop: NumericalAtLeastScoreListTest.shouldAchieveHighScoreInReasonableTime
    assert _scores(interval(1, 1, total=True), dict.fromkeys(range(90), 2.0), 2.0)[0] > 0.99
    weekly = {7 * i: 2.0 for i in range(39)}
    assert _scores(interval(1, 7, total=True), weekly, 2.0)[0] > 0.99
    assert _scores(interval(1, 30, total=True), weekly | {30 * i: 2.0 for i in range(18)}, 2.0)[0] > 0.99


def test_numeric_score_follows_progress_and_ignores_overachieving() -> None:
    # Loop: NumericalAtLeastScoreListTest.shouldAchieveComparableScoreToProgress and overeachievingIsntRelevant
    assert _scores(interval(1, 1, total=True), dict.fromkeys(range(500), 1.0), 2.0)[0] == pytest.approx(0.5, abs=E)
    assert _scores(interval(1, 1, total=True), dict.fromkeys(range(500), 0.5), 2.0)[0] == pytest.approx(0.25, abs=E)
    assert _scores(interval(1, 1, total=True), {0: 10000.0}, 2.0)[0] == pytest.approx(0.051922, abs=E)


def test_numeric_skips_keep_the_score() -> None:
    # Loop: NumericalAtLeastScoreListWithSkipTest.test_getValue: skips on days 10 and 15
    quantities = {o: 2.0 for o in range(20) if o not in (10, 15)}
    expected = [0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.443734, 0.413270,
                0.381137, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.192067, 0.147820,
                0.101149, 0.051922]
    assert _scores(interval(1, 1, total=True), quantities, 2.0, skips=(10, 15)) == pytest.approx(expected, abs=E)


def test_numeric_skipped_days_are_as_if_they_never_existed() -> None:
    # Loop: NumericalAtLeastScoreListWithSkipTest.skipsShouldNotAffectScore
    initial = _scores(interval(1, 1, total=True), dict.fromkeys(range(500), 1.0), 2.0)[0]
    assert _scores(interval(1, 1, total=True), dict.fromkeys(range(500), 1.0), 2.0,
                   skips=tuple(range(500, 1000)))[0] == pytest.approx(initial, abs=E)
    quantities = dict.fromkeys((*range(300), *range(500, 700)), 1.0)
    assert _scores(interval(1, 1, total=True), quantities, 2.0, skips=tuple(range(300, 500)))[0] == pytest.approx(
        initial, abs=E)


# --- StreakList ------------------------------------------------------------------------------------

LONG_HABIT = (0, 1, 3, 5, 7, 8, 9, 10, 12, 14, 15, 17, 19, 20, 26, 27, 28, 50, 51, 52, 53, 54, 58, 60, 63, 65, 70,
              71, 72, 73, 74, 75, 80, 81, 83, 89, 90, 91, 95, 102, 103, 108, 109, 120)


def _runs(schedule: Schedule, marks: tuple[int, ...]) -> list[tuple[int, int]]:
    """(end, length) of every streak, from the day statuses, in days back from today."""
    start = TODAY - timedelta(days=max(marks))
    rules = HabitRules(Kind.BUILD, schedule, 1.0, start)
    log = HabitLog({TODAY - timedelta(days=o): 1.0 for o in marks})
    counted = [d.status in (DayStatus.DONE, DayStatus.COVERED) for d in habit_days(rules, log, TODAY, start, TODAY)]
    runs, length = [], 0
    for index, counts in enumerate(counted):
        length = length + 1 if counts else 0
        if length and (index == len(counted) - 1 or not counted[index + 1]):
            runs.append((len(counted) - 1 - index, length))
    return runs


def _best(runs: list[tuple[int, int]], limit: int) -> list[int]:
    """Loop's StreakList.getBest: the `limit` longest (newer first on ties), then newest first."""
    longest = sorted(runs, key=lambda r: (r[1], -r[0]), reverse=True)[:limit]
    return [length for _, length in sorted(longest, key=lambda r: r[0])]


def test_best_streaks_of_the_long_habit() -> None:
    # Loop: StreakListTest.testGetBest: HabitFixtures.createLongHabit with Frequency.DAILY
    runs = _runs(interval(1, 1), LONG_HABIT)
    assert _best(runs, 4) == [4, 3, 5, 6]
    assert _best(runs, 2) == [5, 6]


def test_one_check_today_is_one_streak_of_one() -> None:
    # Loop: StreakListTest.testGetBest_withUnknowns (a NO five days ago counts for nothing)
    assert _runs(interval(1, 1), (0,)) == [(0, 1)]


# --- rolling totals --------------------------------------------------------------------------------


def test_rolling_totals_are_exact() -> None:
    # 0.1 + 0.2 - 0.1 is 0.20000000000000004 in floats; summed in millionths it is 0.2
    assert rolling_totals([0.1, 0.2, 0.0, -3.0, 0.7], 2) == [0.1, 0.3, 0.2, 0.0, 0.7]


def test_a_total_over_any_days_days() -> None:
    # given "20 km in any 7 days": 10 km, nothing, 12 km, then nothing for a week (today is the last day)
    amounts = (10.0, 0, 12.0, 0, 0, 0, 0, 0, 0, 0)
    start = TODAY - timedelta(days=len(amounts) - 1)
    rules = HabitRules(Kind.BUILD, interval(1, 7, total=True), 20.0, start)
    log = HabitLog({start + timedelta(days=i): a for i, a in enumerate(amounts) if a})

    # when
    statuses = [d.status.value for d in habit_days(rules, log, TODAY, start, TODAY)]
    summary = summarize(rules, log, TODAY)

    # then the 12 km reach 22 with the 10 km before them; the total holds until the 10 km leave the window
    assert statuses == ["PARTIAL", "MISSED", "DONE", "COVERED", "COVERED", "COVERED", "COVERED", "MISSED", "MISSED",
                        "PENDING"]
    assert (summary.current_streak, summary.longest_streak, summary.done_today) == (0, 5, False)


def test_a_total_over_n_in_n_days_is_a_daily_total_as_loop_stores_it() -> None:
    # Loop's Frequency keeps n/n as 1/1, so its numeric window is one day: 10 km each of two days
    # never makes the 20 km target
    start = TODAY - timedelta(days=1)
    rules = HabitRules(Kind.BUILD, interval(3, 3, total=True), 20.0, start)
    log = HabitLog({start: 10.0, TODAY: 10.0})
    assert [d.status.value for d in habit_days(rules, log, TODAY, start, TODAY)] == ["PARTIAL", "PARTIAL"]
    assert strength_series(rules, log, TODAY) == strength_series(
        HabitRules(Kind.BUILD, Schedule(Period.DAILY), 20.0, start), log, TODAY)
