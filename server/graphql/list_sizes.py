"""How many items each list field of the schema can hold, for the cost limit (server/graphql/cost.py).

Every list field the schema has is declared here (a test holds the schema to it), so no new list
escapes the budget: sized by its arguments where it has them, else by the bound the service
itself enforces (at most HABITS_MAX habits, the catalogue's size, a page's size...).
"""

from __future__ import annotations

from server.accounts.service import PERSONAL_TOKENS_MAX
from server.accounts.sessions import SESSIONS_MAX
from server.achievements.catalogue import CATALOGUE
from server.graphql.cost import SizeRule, argument, bounded_by, date_range, fixed, input_length
from server.graphql.pagination import PAGE_DEFAULT, PAGE_MAX
from server.habits.pause_service import PAUSES_MAX
from server.habits.service import HABITS_MAX
from server.portability.rows import ROWS_MAX
from server.reminders.service import PUSH_SUBSCRIPTIONS_MAX, REMINDERS_PER_HABIT, UPCOMING_MAX
from server.webhooks.model import WebhookEvent
from server.webhooks.service import DELIVERIES_SHOWN, WEBHOOKS_MAX

HISTORY_MAX = 365
# As many as the asker has: the door looks their number up when the schema's bound would refuse.
_BY_HABITS = bounded_by("habits", HABITS_MAX)

LIST_SIZES: dict[tuple[str, str], SizeRule] = {
    ("Query", "habits"): _BY_HABITS,
    ("Query", "apiTokens"): fixed(PERSONAL_TOKENS_MAX),
    ("Query", "sessions"): fixed(SESSIONS_MAX),
    ("Query", "achievements"): fixed(len(CATALOGUE)),
    ("Query", "pauses"): fixed(PAUSES_MAX),
    ("Mutation", "habitsReorder"): _BY_HABITS,
    ("Pause", "habits"): _BY_HABITS,
    ("Habit", "days"): date_range(),
    ("DaySeries", "statuses"): date_range(of_parent=True),
    ("DaySeries", "quantities"): date_range(of_parent=True),
    ("StrengthSeries", "values"): date_range(of_parent=True),
    ("CheckInConnection", "edges"): argument("first", PAGE_DEFAULT, PAGE_MAX, of_parent=True),
    ("JournalEntryConnection", "edges"): argument("first", PAGE_DEFAULT, PAGE_MAX, of_parent=True),
    ("Confidence", "history"): argument("days", 30, HISTORY_MAX),
    ("Confidence", "components"): fixed(10),
    ("Program", "steps"): fixed(10),
    ("Step", "requirements"): fixed(10),
    ("Step", "prompts"): fixed(10),
    ("Step", "suggestedHabits"): fixed(10),
    ("Schedule", "weekdays"): fixed(7),
    ("ApiToken", "scopes"): fixed(2),
    ("CheckInsImportReport", "rows"): input_length("input", "rows", ROWS_MAX),
    ("CheckInsImportReport", "skips"): input_length("input", "skips", ROWS_MAX),
    ("StarterKitAdopted", "habits"): fixed(10),
    ("LoopImportReport", "habits"): fixed(HABITS_MAX),
    ("LoopImportReport", "warnings"): fixed(100),
    ("LoopHabitImport", "mismatches"): fixed(10),
    ("LoopHabitImport", "warnings"): fixed(20),
    ("Habit", "reminders"): fixed(REMINDERS_PER_HABIT),
    ("Reminder", "weekdays"): fixed(7),
    ("Query", "upcomingReminders"): fixed(UPCOMING_MAX),
    ("Query", "pushSubscriptions"): fixed(PUSH_SUBSCRIPTIONS_MAX),
    ("Query", "webhooks"): fixed(WEBHOOKS_MAX),
    ("Webhook", "events"): fixed(len(WebhookEvent)),
    ("Webhook", "deliveries"): fixed(DELIVERIES_SHOWN),
}

# The fields the door sizes by the asker's own number of habits (server/graphql/admission.py).
SIZED_BY_HABITS = frozenset(field for field, rule in LIST_SIZES.items() if rule is _BY_HABITS)
