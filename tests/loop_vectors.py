"""Loop Habit Tracker's own test vectors, as the Loop habits (with their Scores.csv) its export would hold.

Expected scores are transcribed from uhabits-core/src/jvmTest/java/org/isoron/uhabits/core/models/
ScoreListTest.kt and the YES_AUTO days from EntryListTest.kt (testComputeBoolean), at iSoron/uhabits
5aa8744ef4c8e391c875bbb482e3e79740b5fd81; Loop's tests count days back from today, here 2015-01-25.
"""

from __future__ import annotations

from datetime import date, timedelta

from server.portability.loop import LoopEntry, LoopHabit, Mark

REFERENCE_DAY = date(2015, 1, 25)


def loop_habit(num: int, den: int, days_back: dict[int, str], scores_back: dict[int, float],
                numerical: bool = False, target: float = 0.0, today: date = REFERENCE_DAY) -> LoopHabit:
    """A Loop habit from values `days back from today`, with Loop's expected scores as its Scores.csv."""
    entries = []
    for back, value in sorted(days_back.items(), reverse=True):
        day = today - timedelta(days=back)
        if value.isdigit():
            entries.append(LoopEntry(day, Mark.AMOUNT, int(value) / 1000))
        else:
            entries.append(LoopEntry(day, Mark(value)))
    scores = tuple(sorted((today - timedelta(days=b), s) for b, s in scores_back.items()))
    return LoopHabit(1, "h", numerical, num, den, target_value=target, entries=tuple(entries), scores=scores)


# Loop's expected scores, newest first (today, yesterday, ...), and the entries they come from.
DAILY_20 = [0.655747, 0.636894, 0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.443734,
            0.413270, 0.381137, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.147820, 0.101149, 0.051922]
WITH_SKIPS = [0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.472617, 0.443734, 0.413270, 0.381137,
              0.347244, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.147820, 0.101149, 0.051922]
NUMERIC_SKIPS = [0.617008, 0.596033, 0.573910, 0.550574, 0.525961, 0.500000, 0.472617, 0.443734, 0.413270,
                 0.381137, 0.347244, 0.347244, 0.311495, 0.273788, 0.234017, 0.192067, 0.192067, 0.147820,
                 0.101149, 0.051922]


def rounded(values: list[float]) -> dict[int, float]:
    return {back: round(v, 4) for back, v in enumerate(values)}


LOOP_CASES = {
    # YesNoScoreListTest.test_getValue: daily, checked the last 20 days
    "daily": loop_habit(1, 1, dict.fromkeys(range(20), "YES_MANUAL"), rounded(DAILY_20)),
    # YesNoScoreListTest.test_getValueWithSkip
    "daily with skips": loop_habit(1, 1, {b: "SKIP" if b in (5, 10, 11) else "YES_MANUAL" for b in range(20)},
                                    rounded(WITH_SKIPS)),
    # YesNoScoreListTest.test_recompute: the last two days checked, every other day: 0.054816
    "every other day": loop_habit(1, 2, {0: "YES_MANUAL", 1: "YES_MANUAL"}, {0: 0.0548}),
    # YesNoScoreListTest.test_imperfectNonDaily: 2 of every 7 days for 100 weeks: 3/7 -> 2/3, 4/7 -> 1/2
    "3 a week": loop_habit(3, 7, {7 * k + i: "YES_MANUAL" for k in range(100) for i in (0, 1)}, {0: 0.6667}),
    "4 a week": loop_habit(4, 7, {7 * k + i: "YES_MANUAL" for k in range(100) for i in (0, 1)}, {0: 0.5}),
    # EntryListTest.testComputeBoolean, 1/3: checks on days 4, 9, 10 and the YES_AUTO days Loop computes
    "every 3 days": loop_habit(1, 3, {4: "YES_MANUAL", 9: "YES_MANUAL", 10: "YES_MANUAL", 2: "YES_AUTO",
                                       3: "YES_AUTO", 7: "YES_AUTO", 8: "YES_AUTO", 11: "YES_AUTO", 12: "YES_AUTO"},
                                {}),
    # NumericalAtLeastScoreListTest.test_getValue: 2 miles a day for 20 days, target 2
    "numeric daily": loop_habit(1, 1, dict.fromkeys(range(20), "2000"), rounded(DAILY_20), True, 2.0),
    # NumericalAtLeastScoreListTest.test_recompute: every other day, the window's total: 0.072631
    "numeric every other day": loop_habit(1, 2, {0: "2000", 1: "2000"}, {0: 0.0726}, True, 2.0),
    # NumericalAtLeastScoreListWithSkipTest.test_getValue
    "numeric with skips": loop_habit(1, 1, {b: "SKIP" if b in (10, 15) else "2000" for b in range(20)},
                                      rounded(NUMERIC_SKIPS), True, 2.0),
}


