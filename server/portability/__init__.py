"""Moving data in and out: bulk check-in import, account export/restore, Loop Habit Tracker import."""
