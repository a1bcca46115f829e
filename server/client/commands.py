"""The client commands of `comeback`: people-readable output by default, `--json` for scripts.

Exit codes: 0 ok, 1 usage, 2 not found or invalid input, 3 authentication, 4 server unreachable
or failing, 5 rate limited (see server.client.api.ExitCode).
"""

from __future__ import annotations

import functools
import json
import socket
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from server.client import config
from server.client.api import Api, ClientError, ExitCode, result
from server.client.moments import idempotency_key, parse_at, parse_day

F = TypeVar("F", bound=Callable[..., Any])

CSV_HEADER = b"habit_id,habit_name,day,"  # the start of `comeback export --csv` (GET /export/check-ins.csv)

HABIT_FIELDS = ("id name kind unit targetQuantity dailyLimit archived startDate "
                "schedule { period weekdays timesPerWeek times days total } "
                "currentStreak longestStreak streakUnit strength doneToday")
ME = "me { email displayName timezone dayStartHour today }"
# The dry-run import first (mutation fields run in order) says whether the key is already used, i.e. whether
# the check-in that comes back is a replay: habitCheckIn answers a replay exactly as it answers a new one.
CHECK_IN = """mutation($input: HabitCheckInInput!, $row: CheckInImportRow!) {
  seen: checkInsImport(input: {rows: [$row], dryRun: true}) { __typename
    ... on CheckInsImportReport { rows { status code } } }
  habitCheckIn(input: $input) {
  __typename ... on Error { code message } ... on CheckIn { id day occurredAt quantity note undone
  habit { id name unit currentStreak streakUnit doneToday } } } }"""
UNDO = """mutation($id: ID!) { checkInUndo(id: $id) { __typename ... on Error { code message }
  ... on CheckIn { id day quantity undone habit { id name currentStreak streakUnit } } } }"""
SKIP = """mutation($h: ID!, $d: Date!) { habitSkip(habitId: $h, day: $d) { __typename ... on Error { code message }
  ... on Habit { id name currentStreak streakUnit } } }"""
REMIND = """mutation($h: ID!, $input: ReminderInput!) { reminderSet(habitId: $h, input: $input) {
  __typename ... on Error { code message } ... on Reminder { id time weekdays followsHabit enabled nextDueAt } } }"""
DAY_WORDS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


class UsageError(click.UsageError):
    exit_code = ExitCode.USAGE


class ClientCommand(click.Command):
    """A client command: usage errors exit 1 (click's default is 2, which here means invalid input)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise UsageError(error.format_message(), error.ctx) from None


def client_command(name: str, **kwargs: Any) -> Callable[[F], click.Command]:
    """A click command with --json, --url, and ClientError turned into its exit code."""

    def decorate(fn: F) -> click.Command:
        @functools.wraps(fn)
        def run(*args: Any, **options: Any) -> None:
            as_json = options.get("as_json", False)
            try:
                fn(*args, **options)
            except ClientError as error:
                if as_json:
                    click.echo(json.dumps({"error": {"code": error.code, "message": error.message,
                                                     "exitCode": int(error.exit_code)}}))
                click.echo(f"error: {error.message}", err=True)
                sys.exit(int(error.exit_code))

        run = click.option("--url", default=None, help="Server URL (default: COMEBACK_URL or the saved one).")(run)
        run = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(run)
        return click.command(name, cls=ClientCommand, **kwargs)(run)

    return decorate


def _now() -> datetime:
    return datetime.now(UTC)


def _api(url: str | None, need_token: bool = True) -> Api:
    server, token = config.resolve(url, need_token)
    return Api(server, token)


def _out(as_json: bool, value: Any, human: str) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False) if as_json else human)


def _unit(streak_unit: str, n: int) -> str:
    word = "week" if streak_unit == "WEEKS" else "day"
    return f"{n} {word}{'' if n == 1 else 's'}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _qty(value: float) -> str:
    return f"{value:g}"


def _find_habit(habits: list[dict[str, Any]], query: str) -> dict[str, Any]:
    """A habit by id, by name (case-insensitive), or by a unique prefix of its name."""
    if not query.strip():  # "" is a prefix of every name
        raise ClientError("HABIT is empty: give a habit's name or id (see `comeback habits`)", ExitCode.USAGE)
    for h in habits:
        if h["id"] == query:
            return h
    wanted = query.strip().lower()
    exact = [h for h in habits if h["name"].lower() == wanted]
    if len(exact) == 1:
        return exact[0]
    prefixed = exact or [h for h in habits if h["name"].lower().startswith(wanted)]
    if len(prefixed) == 1:
        return prefixed[0]
    if not prefixed:
        raise ClientError(f"no habit called {query!r} (see `comeback habits`)", ExitCode.INVALID, "NOT_FOUND")
    names = ", ".join(repr(h["name"]) for h in prefixed)
    raise ClientError(f"{query!r} could be {names}: type more of the name, or use the id", ExitCode.INVALID,
                      "AMBIGUOUS")


def _me_and_habits(api: Api, include_archived: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = api.graphql(f"query($all: Boolean) {{ {ME} habits(includeArchived: $all) {{ {HABIT_FIELDS} }} }}",
                       {"all": include_archived})
    return data["me"], data["habits"]


# -- login


@client_command("login", help="Sign in and save a personal access token (or save the one given with --token).")
@click.option("--email", default=None, help="Your e-mail (asked when missing).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--token", default=None, help="An existing personal access token to save instead of signing in.")
@click.option("--token-name", default=None, help="Name of the token to create (default: 'comeback CLI on HOST').")
def login(url: str | None, as_json: bool, email: str | None, password_stdin: bool, token: str | None,
          token_name: str | None) -> None:
    saved, _ = config.resolve(None, need_token=False)
    server = config.server_url(url or click.prompt("Server URL", default=saved))
    if token is None:
        email = email or click.prompt("E-mail")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("Password", hide_input=True)
        with Api(server) as anonymous:
            try:
                session = result(anonymous.graphql(
                    """mutation($i: LogInInput!) { logIn(input: $i) { __typename ... on Error { code message }
                       ... on AuthPayload { token } } }""", {"i": {"email": email, "password": password}},
                    retry=False), "logIn")["token"]
            except ClientError as error:
                if error.code == "INVALID_CREDENTIALS":  # an authentication failure, as the exit codes say
                    raise ClientError(error.message, ExitCode.AUTH, error.code) from None
                raise
        name = token_name or f"comeback CLI on {socket.gethostname()}"[:80]
        with Api(server, session) as signed_in:
            created = result(signed_in.graphql(
                """mutation($i: ApiTokenCreateInput!) { apiTokenCreate(input: $i) { __typename
                   ... on Error { code message } ... on ApiTokenCreated { secret } } }""",
                {"i": {"name": name, "scopes": ["WRITE"]}}, retry=False), "apiTokenCreate")
            signed_in.graphql("mutation { logOut }", retry=False)  # the session is not needed any more
        token = created["secret"]
    with Api(server, token) as api:
        me = api.graphql(f"{{ {ME} }}")["me"]
    path = config.save_config(server, token)
    _out(as_json, {"url": server, "email": me["email"], "config": str(path)},
         f"Logged in to {server} as {me['email']}; token saved in {path}")


# -- habits and status


@client_command("habits", help="List your habits with their streak and strength.")
@click.option("--all", "include_archived", is_flag=True, help="Include archived habits.")
def habits(url: str | None, as_json: bool, include_archived: bool) -> None:
    with _api(url) as api:
        _, found = _me_and_habits(api, include_archived)
    lines = [f"{h['name']:<28} {_unit(h['streakUnit'], h['currentStreak']):>10}  strength {h['strength']:5.1f}"
             f"  {'done' if h['doneToday'] else '-':<4}  {h['id']}{'  (archived)' if h['archived'] else ''}"
             for h in found]
    _out(as_json, found, "\n".join(lines) or "No habits yet.")


@client_command("status", help="Today at a glance.")
def status(url: str | None, as_json: bool) -> None:
    with _api(url) as api:
        today = api.graphql(f"{{ {ME} }}")["me"]["today"]
        data = api.graphql(f"""query($d: Date!) {{ {ME} confidence {{ score }}
            habits {{ {HABIT_FIELDS} days(from: $d, to: $d) {{ quantity status }} }} }}""", {"d": today})
    done = sum(h["doneToday"] for h in data["habits"])
    lines = [f"{date.fromisoformat(today):%A %Y-%m-%d}: {done} of {len(data['habits'])} habits done today"]
    for h in data["habits"]:
        day: dict[str, Any] = h["days"][0] if h["days"] else {"quantity": 0.0, "status": "-"}
        if h["kind"] == "QUIT":
            amount = "clean" if h["doneToday"] else "slipped"
        elif day["status"] == "COVERED":  # an INTERVAL habit whose recent check-ins cover today
            amount = "covered"
        else:
            amount = f"{_qty(day['quantity'])}/{_qty(h['targetQuantity'])}{' ' + h['unit'] if h['unit'] else ''}"
        mark = "x" if h["doneToday"] else "~" if day["status"] == "COVERED" else " "
        lines.append(f"  [{mark}] {h['name']:<26} {amount:<14} "
                     f"streak {_unit(h['streakUnit'], h['currentStreak']):<9} strength {h['strength']:5.1f}")
    lines.append(f"Confidence {data['confidence']['score']:.0f}")
    _out(as_json, {"today": today, "done": done, "habits": data["habits"], "confidence": data["confidence"]},
         "\n".join(lines))


WEBHOOKS = """{ webhooks { id url events enabled lastError disabledAt
  deliveries { id event attempt status responseCode lastError createdAt } } }"""


@client_command("webhooks", help="List your webhooks with their latest deliveries (create them in Settings or "
                                 "with webhookCreate).")
def webhooks(url: str | None, as_json: bool) -> None:
    with _api(url) as api:
        found = api.graphql(WEBHOOKS)["webhooks"]
    lines = []
    for w in found:
        state = "enabled" if w["enabled"] else f"DISABLED since {w['disabledAt']}"
        lines.append(f"{w['url']}  {state}  {','.join(w['events'])}  {w['id']}")
        if w["lastError"]:
            lines.append(f"  last error: {w['lastError']}")
        for d in w["deliveries"][:5]:
            code = d["responseCode"] if d["responseCode"] is not None else "-"
            lines.append(f"  {d['createdAt']}  {d['event']:<22} {d['status']:<9} attempt {d['attempt']}  HTTP {code}")
    _out(as_json, found, "\n".join(lines) or "No webhooks yet.")


# -- log, undo, skip


@client_command("log", help="Log a check-in: HABIT is a name (any case, a unique prefix will do) or an id.")
@click.argument("habit")
@click.option("--qty", type=float, default=None, help="Quantity (default 1).")
@click.option("--note", default=None, help="A note.")
@click.option("--at", "at_text", default=None,
              help="When: 2026-03-10T08:30, 08:30, 'yesterday 21:00' or a day (default: now).")
@click.option("--key", default=None, help="Your own idempotency key (default: derived, see docs/cli.md).")
def log(url: str | None, as_json: bool, habit: str, qty: float | None, note: str | None, at_text: str | None,
        key: str | None) -> None:
    now = _now()
    with _api(url) as api:
        me, found = _me_and_habits(api)
        target = _find_habit(found, habit)
        at = None
        if at_text:
            try:
                at = parse_at(at_text, ZoneInfo(me["timezone"]), me["dayStartHour"], now,
                              date.fromisoformat(me["today"]))
            except ValueError as error:
                raise ClientError(str(error), ExitCode.USAGE) from None
        quantity = 1.0 if qty is None else qty
        key = key or idempotency_key(target["id"], at, now, quantity, note)
        payload: dict[str, Any] = {"habitId": target["id"], "quantity": quantity, "note": note,
                                   "idempotencyKey": key, "source": "SCRIPT"}
        if at is not None:
            payload["occurredAt"] = at.isoformat()
        row = {"habitId": target["id"], "occurredAt": (at or now).isoformat(), "quantity": quantity, "note": note,
               "idempotencyKey": key}
        data = api.graphql(CHECK_IN, {"input": payload, "row": row})
        check_in = result(data, "habitCheckIn")
    seen = (data.get("seen") or {}).get("rows") or [{}]
    replayed = seen[0].get("status") == "DUPLICATE" or seen[0].get("code") == "DUPLICATE"
    if not replayed:
        config.save_state(lastCheckIn={"id": check_in["id"], "url": api.url, "habit": target["name"],
                                       "day": check_in["day"]})
    h = check_in["habit"]
    unit = f" {h['unit']}" if h["unit"] else ""
    verb = ("already logged and undone" if check_in["undone"] else "already logged") if replayed else "logged"
    _out(as_json, {**check_in, "alreadyLogged": replayed},
         f"{h['name']}: {verb} {_qty(check_in['quantity'])}{unit} on {check_in['day']}. "
         f"Streak: {_unit(h['streakUnit'], h['currentStreak'])}.")


@client_command("undo", help="Undo the last check-in logged with this command line (or --id).")
@click.option("--id", "check_in_id", default=None, help="The check-in to undo.")
def undo(url: str | None, as_json: bool, check_in_id: str | None) -> None:
    last: dict[str, Any] = {}
    with _api(url) as api:
        if check_in_id is None:
            last = config.load_state().get("lastCheckIn") or {}
            if not last or last.get("url") != api.url:
                raise ClientError("nothing to undo: no check-in was logged from here (use --id)", ExitCode.INVALID,
                                  "NOTHING_TO_UNDO")
            if last.get("undone"):
                raise ClientError(f"nothing to undo: the last check-in logged from here ({last['habit']} on "
                                  f"{last['day']}) is already undone", ExitCode.INVALID, "NOTHING_TO_UNDO")
            check_in_id = str(last["id"])
        undone = result(api.graphql(UNDO, {"id": check_in_id}), "checkInUndo")
    if last:
        config.save_state(lastCheckIn={**last, "undone": True})
    h = undone["habit"]
    _out(as_json, undone, f"{h['name']}: undid the check-in of {undone['day']}. "
                          f"Streak: {_unit(h['streakUnit'], h['currentStreak'])}.")


@client_command("skip", help="Mark a day skipped (sick, travelling): keeps the streak without adding to it.")
@click.argument("habit")
@click.option("--day", "day_text", default="today", help="2026-03-10, today, yesterday or -N (default today).")
def skip(url: str | None, as_json: bool, habit: str, day_text: str) -> None:
    with _api(url) as api:
        me, found = _me_and_habits(api)
        target = _find_habit(found, habit)
        try:
            day = parse_day(day_text, date.fromisoformat(me["today"]))
        except ValueError as error:
            raise ClientError(str(error), ExitCode.USAGE) from None
        skipped = result(api.graphql(SKIP, {"h": target["id"], "d": day.isoformat()}), "habitSkip")
    _out(as_json, {**skipped, "day": day.isoformat()},
         f"{skipped['name']}: {day} skipped. Streak: {_unit(skipped['streakUnit'], skipped['currentStreak'])}.")


# -- reminders


def parse_days(text: str) -> list[int]:
    """"mon,wed,fri" (three-letter English day names, any case) as ISO weekdays."""
    days = []
    for word in (w.strip().lower()[:3] for w in text.split(",") if w.strip()):
        if word not in DAY_WORDS:
            raise ClientError(f"unknown day {word!r}: use mon, tue, wed, thu, fri, sat, sun", ExitCode.USAGE)
        days.append(DAY_WORDS[word])
    if not days:
        raise ClientError("--days needs at least one day, e.g. mon,wed,fri", ExitCode.USAGE)
    return sorted(set(days))


@client_command("remind", help="Add a reminder: HABIT at TIME (local HH:MM) on the habit's days, or --days.")
@click.argument("habit")
@click.argument("time")
@click.option("--days", "days_text", default=None, help="Days to remind on, e.g. mon,wed,fri (default: the "
                                                        "habit's scheduled days).")
def remind(url: str | None, as_json: bool, habit: str, time: str, days_text: str | None) -> None:
    weekdays = parse_days(days_text) if days_text is not None else None
    with _api(url) as api:
        _, found = _me_and_habits(api)
        target = _find_habit(found, habit)
        made = result(api.graphql(REMIND, {"h": target["id"], "input": {"time": time, "weekdays": weekdays}}),
                      "reminderSet")
    names = [name.capitalize() for name, number in DAY_WORDS.items() if number in made["weekdays"]]
    days = "every day" if len(names) == 7 else ", ".join(names)
    _out(as_json, {**made, "habit": target["name"]}, f"{target['name']}: reminder at {made['time']} on {days}"
         + (" (the habit's days)" if made["followsHabit"] else "") + ".")


# -- export and import


@client_command("export", help="Export everything you own as JSON (or your check-ins as CSV, or your habits as "
                               "Loop Habit Tracker's CSV ZIP).")
@click.option("--csv", "as_csv", is_flag=True, help="Check-ins as CSV instead of the full JSON export.")
@click.option("--loop", "loop_file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write your habits to this ZIP in Loop Habit Tracker's 'Export as CSV' format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file (default: standard output).")
def export(url: str | None, as_json: bool, as_csv: bool, loop_file: str | None, output: str | None) -> None:
    with _api(url) as api:
        if loop_file:
            from server.client import transfer

            name, data = transfer.export_loop(api)
            try:
                Path(loop_file).write_bytes(data)
            except OSError as error:
                raise ClientError(f"cannot write {loop_file}: {error.strerror}", ExitCode.USAGE) from None
            _out(as_json, {"file": loop_file, "loopName": name, "bytes": len(data)},
                 f"Wrote your habits to {loop_file} ({len(data)} bytes) in Loop Habit Tracker's CSV format")
            return
        if as_csv:
            if output:
                with open(output, "wb") as out:
                    api.download("/export/check-ins.csv", out)
            else:
                api.download("/export/check-ins.csv", sys.stdout.buffer)
            return
        document = api.graphql("{ export }")["export"]
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        habits, check_ins = len(document["habits"]), len(document["checkIns"])
        _out(as_json, {"file": output, "habits": habits, "checkIns": check_ins},
             f"Exported {_count(habits, 'habit')} and {_count(check_ins, 'check-in')} to {output}")
    else:
        click.echo(text, nl=False)


@client_command("import", help="Restore a Comeback export (JSON) into your account, or --loop a Loop Habit "
                               "Tracker CSV export (ZIP).")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--loop", "loop", is_flag=True, help="FILE is Loop Habit Tracker's 'Export as CSV' ZIP.")
@click.option("--dry-run", is_flag=True, help="Report what would be created; change nothing.")
def import_(url: str | None, as_json: bool, file: str, loop: bool, dry_run: bool) -> None:
    from server.client import transfer  # the Loop reader is only needed here

    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        raise ClientError(f"cannot read {file}: {error.strerror}", ExitCode.USAGE) from None
    with _api(url) as api:
        if loop:
            try:
                report = transfer.import_loop(api, raw, dry_run)
            except ClientError as error:
                raise ClientError(f"{file}: {error.message}", error.exit_code, error.code, error.details) from None
            _out(as_json, report, _loop_summary(report))
            return
        if raw.startswith(CSV_HEADER):
            raise ClientError(f"{file} is a check-ins CSV (`comeback export --csv`), which cannot be imported: "
                              "restore a JSON export (`comeback export -o backup.json`), or send rows with the "
                              "checkInsImport mutation (docs/api.md)", ExitCode.INVALID, "UNSUPPORTED_FORMAT")
        try:
            document = json.loads(raw)
        except ValueError as error:
            raise ClientError(f"{file} is not JSON: {error}", ExitCode.INVALID, "INVALID_INPUT") from None
        total = transfer.restore(api, document, dry_run)
    verb = "Would create" if dry_run else "Created"
    _out(as_json, total, f"{verb} {_count(total['habitsCreated'], 'habit')}, "
                         f"{_count(total['checkInsCreated'], 'check-in')}, {_count(total['skipsCreated'], 'skip')}, "
                         f"{_count(total['pausesCreated'], 'pause')}, "
                         f"{_count(total['remindersCreated'], 'reminder')}, "
                         f"{_count(total['journalEntriesCreated'], 'journal entry', 'journal entries')}; "
                         f"{total['unchanged']} already there.")


def _loop_summary(report: dict[str, Any]) -> str:
    verb = "would import" if report["dryRun"] else "imported"
    lines = []
    for h in report["habits"]:
        schedule = h["schedule"]
        often = schedule["period"].lower()
        if schedule["period"] == "INTERVAL":
            often = (f"{h['targetQuantity']:g} in any {schedule['days']} days" if schedule["total"]
                     else f"{schedule['times']} in any {schedule['days']} days")
        kind = f"quit, at most {h['dailyLimit'] or 0:g} a day" if h["kind"] == "QUIT" else often
        exact = "Loop's numbers exactly" if h["exact"] else "not Loop's numbers: see below"
        lines.append(f"{h['name']} ({h['action'].lower()}, {kind}): {verb} {_count(h['created'], 'check-in')}, "
                     f"{_count(h['skipsCreated'], 'skip')}; {h['duplicates']} already there"
                     + (" [archived]" if h["archived"] else "") + f"; {exact}")
        lines += [f"  differs: {m}" for m in h["mismatches"]]
        lines += [f"  note: {w}" for w in h["warnings"]]
    lines += [f"note: {w}" for w in report["warnings"]]
    return "\n".join(lines) or "The export holds no habits."


COMMANDS = (login, habits, status, log, undo, skip, remind, export, import_, webhooks)
