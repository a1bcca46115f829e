"""`comeback habit add | edit | archive | restore`: create and change habits from the command line.

The schedule is given the way people say it: `--daily` (the default), `--weekdays mon,wed,fri`,
`--weekly 3` (3 times a calendar week) or `--interval 2/3` (2 times in any 3 days, as Loop counts).
Exit codes are the client's (server.client.api.ExitCode): typed errors of the API exit 2.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from server.client.api import ClientError, ExitCode, result
from server.client.commands import (
    HABIT_FIELDS,
    UsageError,
    _api,
    _find_habit,
    _me_and_habits,
    _out,
    _qty,
    client_command,
)
from server.client.moments import parse_day

CATEGORIES = ("workout", "reading", "hygiene", "friends", "custom")
DAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
RESULT = f"__typename ... on Error {{ code message }} ... on Habit {{ {HABIT_FIELDS} category }}"
CREATE = f"mutation($i: HabitCreateInput!) {{ habitCreate(input: $i) {{ {RESULT} }} }}"
UPDATE = f"mutation($id: ID!, $i: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $i) {{ {RESULT} }} }}"
ARCHIVE = f"mutation($id: ID!) {{ habitArchive(id: $id) {{ {RESULT} }} }}"
RESTORE = f"mutation($id: ID!) {{ habitRestore(id: $id) {{ {RESULT} }} }}"
DELETE = ("mutation($id: ID!) { habitDelete(id: $id) { __typename ... on Error { code message } "
          "... on HabitDeleted { id } } }")


class ClientGroup(click.Group):
    """A group of client commands: a missing or unknown subcommand is a usage error, exit 1 (not click's 2)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise UsageError(error.format_message(), error.ctx) from None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                              list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            raise UsageError(error.format_message(), error.ctx) from None


@click.group("habit", cls=ClientGroup, help="Create and change habits: add, edit, archive, restore.")
def habit() -> None:
    pass


def _weekdays(text: str) -> list[int]:
    days = []
    for part in text.lower().replace(" ", "").split(","):
        day = DAYS.get(part[:3]) if not part.isdigit() else int(part)
        if day is None or not 1 <= day <= 7:
            raise ClientError(f"--weekdays: {part!r} is not a day (mon..sun or 1..7)", ExitCode.USAGE)
        days.append(day)
    return sorted(set(days))


def _schedule(daily: bool, weekdays: str | None, weekly: int | None, interval: str | None,
              total: bool) -> dict[str, Any] | None:
    """The ScheduleInput the options describe, or None when none was given."""
    given = [name for name, value in (("--daily", daily), ("--weekdays", weekdays), ("--weekly", weekly),
                                      ("--interval", interval)) if value]
    if len(given) > 1:
        raise ClientError(f"give one schedule, not {' and '.join(given)}", ExitCode.USAGE)
    if total and not interval:
        raise ClientError("--total goes with --interval", ExitCode.USAGE)
    if daily:
        return {"period": "DAILY"}
    if weekdays:
        return {"period": "WEEKDAYS", "weekdays": _weekdays(weekdays)}
    if weekly:
        return {"period": "WEEKLY", "timesPerWeek": weekly}
    if interval:
        times, _, days = interval.partition("/")
        if not (times.isdigit() and days.isdigit()):
            raise ClientError(f"--interval {interval!r}: write TIMES/DAYS, e.g. 2/3 for 2 times in any 3 days",
                              ExitCode.USAGE)
        return {"period": "INTERVAL", "times": int(times), "days": int(days), "total": total}
    return None


def describe(h: dict[str, Any]) -> str:
    """`Read (reading, daily, 20 pages)`: what a habit asks, in a few words."""
    s = h["schedule"]
    often = {"DAILY": "daily", "WEEKLY": f"{s['timesPerWeek']} times a week",
             "WEEKDAYS": "on " + ",".join(k for k, v in DAYS.items() if v in s["weekdays"]),
             "INTERVAL": f"{s['times']} times in any {s['days']} days"}[s["period"]]
    parts = [h["category"].lower(), "quit" if h["kind"] == "QUIT" else often]
    if h["kind"] == "BUILD" and (h["targetQuantity"] != 1 or h["unit"]):
        parts.append(f"{_qty(h['targetQuantity'])}{' ' + h['unit'] if h['unit'] else ''}")
    return f"{h['name']} ({', '.join(parts)})"


def schedule_options(fn: Any) -> Any:
    for option in reversed((
            click.option("--daily", is_flag=True, help="Every day (the default for a new habit)."),
            click.option("--weekdays", default=None, help="On these days: mon,wed,fri (or 1,3,5; 1 = Monday)."),
            click.option("--weekly", type=click.IntRange(1, 7), default=None, help="N times a calendar week."),
            click.option("--interval", default=None, help="TIMES/DAYS: e.g. 2/3 is 2 times in any 3 days."),
            click.option("--total", is_flag=True, help="With --interval: --target is a total over the DAYS."),
            click.option("--target", type=float, default=None, help="Amount a day asks for (default 1)."),
            click.option("--unit", default=None, help="Unit of the amount: pages, km, minutes..."),
            click.option("--category", type=click.Choice(CATEGORIES, case_sensitive=False), default=None,
                         help="Category (default custom)."),
            click.option("--start", "start_text", default=None,
                         help="First day: 2026-03-10, today, yesterday or -N (default today)."))):
        fn = option(fn)
    return fn


def _start(api: Any, text: str | None) -> str | None:
    if text is None:
        return None
    me, _ = _me_and_habits(api)
    try:
        return parse_day(text, date.fromisoformat(me["today"])).isoformat()
    except ValueError as error:
        raise ClientError(str(error), ExitCode.USAGE) from None


@client_command("add", help="Add a habit called NAME (quote a name with spaces).")
@click.argument("name")
@schedule_options
@click.option("--quit", "quit_", is_flag=True, help="A habit to quit: check-ins are slips.")
@click.option("--daily-limit", type=float, default=None, help="With --quit: a day is a slip above this amount.")
def add(url: str | None, as_json: bool, name: str, quit_: bool, daily_limit: float | None, start_text: str | None,
        category: str | None, **schedule: Any) -> None:
    target, unit = schedule.pop("target"), schedule.pop("unit")
    if not name.strip():
        raise ClientError("NAME is empty", ExitCode.USAGE)
    if daily_limit is not None and not quit_:
        raise ClientError("--daily-limit goes with --quit", ExitCode.USAGE)
    fields: dict[str, Any] = {"name": name, "category": (category or "custom").upper(),
                              "kind": "QUIT" if quit_ else "BUILD",
                              "schedule": _schedule(**schedule) or {"period": "DAILY"},
                              "targetQuantity": target, "unit": unit, "dailyLimit": daily_limit}
    with _api(url) as api:
        fields["startDate"] = _start(api, start_text)
        created = result(api.graphql(CREATE, {"i": fields}, retry=False), "habitCreate")
    _out(as_json, created, f"Added {describe(created)}. Log it with: comeback log {_quoted(created['name'])}")


@client_command("edit", help="Change a habit: HABIT is a name (any case, a unique prefix will do) or an id.")
@click.argument("habit_name", metavar="HABIT")
@click.option("--name", default=None, help="A new name.")
@schedule_options
def edit(url: str | None, as_json: bool, habit_name: str, name: str | None, start_text: str | None,
         category: str | None, **schedule: Any) -> None:
    target, unit = schedule.pop("target"), schedule.pop("unit")
    fields = {"name": name, "category": category.upper() if category else None, "schedule": _schedule(**schedule),
              "targetQuantity": target, "unit": unit}
    with _api(url) as api:
        fields["startDate"] = _start(api, start_text)
        changes = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            raise ClientError("nothing to change: give --name, a schedule, --target, --unit, --category or --start",
                              ExitCode.USAGE)
        _, found = _me_and_habits(api, include_archived=True)
        target_habit = _find_habit(found, habit_name)
        changed = result(api.graphql(UPDATE, {"id": target_habit["id"], "i": changes}), "habitUpdate")
    _out(as_json, changed, f"Changed {describe(changed)}.")


@client_command("archive", help="Archive a habit: it leaves today's list, its history stays (undo: restore).")
@click.argument("habit_name", metavar="HABIT")
def archive(url: str | None, as_json: bool, habit_name: str) -> None:
    with _api(url) as api:
        _, found = _me_and_habits(api)
        archived = result(api.graphql(ARCHIVE, {"id": _find_habit(found, habit_name)["id"]}), "habitArchive")
    _out(as_json, archived, f"Archived {archived['name']}; `comeback habit restore` brings it back.")


@client_command("restore", help="Bring an archived habit back.")
@click.argument("habit_name", metavar="HABIT")
def restore(url: str | None, as_json: bool, habit_name: str) -> None:
    with _api(url) as api:
        _, found = _me_and_habits(api, include_archived=True)
        restored = result(api.graphql(RESTORE, {"id": _find_habit([h for h in found if h["archived"]] or found,
                                                                  habit_name)["id"]}), "habitRestore")
    _out(as_json, restored, f"Restored {restored['name']}.")


@client_command("delete", help="Delete a habit for good, with its check-ins, skips and breaks "
                          "(achievements earned stay). Asks first unless --yes; `archive` is the reversible way.")
@click.argument("habit_name", metavar="HABIT")
@click.option("--yes", is_flag=True, help="Do not ask: delete at once (for scripts).")
def delete(url: str | None, as_json: bool, habit_name: str, yes: bool) -> None:
    with _api(url) as api:
        _, found = _me_and_habits(api, include_archived=True)
        target = _find_habit(found, habit_name)
        if not yes and not click.confirm(f"Delete {target['name']} and all its history for good?", err=True):
            raise ClientError("not deleted (say --yes to delete without being asked)", ExitCode.USAGE, "NOT_CONFIRMED")
        deleted = result(api.graphql(DELETE, {"id": target["id"]}), "habitDelete")
    _out(as_json, {**deleted, "name": target["name"]}, f"Deleted {target['name']} and its history.")


def _quoted(name: str) -> str:
    return name.lower() if name.replace("-", "").isalnum() else f"'{name}'"


for _command in (add, edit, archive, restore, delete):
    habit.add_command(_command)
