"""Habits, their check-ins, skipped days and pauses."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from server.accounts.tables import User


class Habit(Table, tablename="habit"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=80)
    category = Varchar(length=16)
    kind = Varchar(length=8)
    period = Varchar(length=16)
    weekdays = Varchar(length=16, default="")  # "1,3,5" (ISO weekdays), WEEKDAYS only
    times_per_week = Integer(null=True, default=None)
    # INTERVAL only: `interval_times` in any `interval_days` days; with interval_total, target_quantity
    # is a total over those days (Loop's numeric habits).
    interval_times = Integer(null=True, default=None)
    interval_days = Integer(null=True, default=None)
    interval_total = Boolean(default=False)
    target_quantity = DoublePrecision(default=1.0)
    # QUIT only: a day is a slip when its check-ins add up to more than this; NULL: any check-in.
    daily_limit = DoublePrecision(null=True, default=None)
    unit = Varchar(length=24, null=True, default=None)
    description = Text(null=True, default=None)
    question = Varchar(length=200, null=True, default=None)
    color = Varchar(length=7, null=True, default=None)  # "#RRGGBB"
    start_date = Date()
    created_at = Timestamptz()
    archived_at = Timestamptz(null=True, default=None)
    # "<step key>/<habit name>" for habits adopted from a program step's starter kit: unique
    # per owner, so adopting a kit twice creates nothing new.
    kit_key = Varchar(length=160, null=True, default=None)
    # The owner's order of habits (habitsReorder); new habits go last. Ties (none are made on purpose)
    # fall back to creation order.
    position = Integer(default=0)
    # Bumped by every invalidation of the habit's checkpoints, in that transaction: the recompute
    # writes checkpoints only if it is still the value it read with the log (repository.save_checkpoints).
    checkpoint_epoch = Integer(default=0)


class CheckIn(Table, tablename="check_in"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    habit = ForeignKey(Habit, on_delete=OnDelete.cascade)
    occurred_at = Timestamptz()
    # Fixed when logged, with the profile of that moment: a later profile change moves nothing.
    day = Date()
    quantity = DoublePrecision(default=1.0)
    note = Text(null=True, default=None)
    source = Varchar(length=16, default="API")
    idempotency_key = Varchar(length=128, null=True, default=None)
    created_at = Timestamptz()
    # Undo keeps the row, so a late retry of the same idempotency key cannot log it again.
    undone_at = Timestamptz(null=True, default=None)


class HabitSkip(Table, tablename="habit_skip"):
    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade)
    habit = ForeignKey(Habit, on_delete=OnDelete.cascade)
    day = Date()
    created_at = Timestamptz()


class Pause(Table, tablename="pause"):
    """A break (holiday, illness): every day from `from_day` to `to_day` counts as skipped for the habits
    linked to it in pause_habit, or for every habit of the owner when `all_habits`."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    from_day = Date()
    to_day = Date()
    reason = Text(null=True, default=None)
    # True: every habit, also those created later inside the range (so no links are stored).
    all_habits = Boolean(default=False)
    created_at = Timestamptz()


class PauseHabit(Table, tablename="pause_habit"):
    id = UUID(primary_key=True)
    pause = ForeignKey(Pause, on_delete=OnDelete.cascade, index=True)
    habit = ForeignKey(Habit, on_delete=OnDelete.cascade, index=True)


class HabitCheckpoint(Table, tablename="habit_checkpoint"):
    """A habit's progress at the end of a past day (server.habits.checkpoints): reads and the
    recompute continue from the latest one before what they need instead of from start_date.
    Written by the recompute only; deleted from the earliest day a change touches."""

    id = UUID(primary_key=True)
    habit = ForeignKey(Habit, on_delete=OnDelete.cascade)
    day = Date()
    rules = Varchar(length=16)  # a digest of the rules it was computed under: another one voids it
    strength = DoublePrecision()  # the raw score, 0 to 1
    streak = Integer()
    longest = Integer()
    freezes = Integer()
    run = Integer()
    # What the achievement rules read of the days through this one (server.habits.tally), as JSON; NULL
    # on a checkpoint stored before tallies were, which the recompute then replaces.
    tally = Text(null=True, default=None)
    # Its days since the checkpoint before it (server.habits.day_slices), for long windows; NULL on a
    # checkpoint stored before they were kept (reads then walk those days).
    days = Text(null=True, default=None)
