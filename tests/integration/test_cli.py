"""The command-line client against the in-process server: output, --json, exit codes, config, idempotency."""

from __future__ import annotations

import asyncio
import functools
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from server.cli import main
from server.client import commands
from server.client.api import Api
from server.habits import tables
from tests import factories, loop_faults
from tests.integration.api import Api as GraphQLApi
from tests.integration.bridge import bridge
from tests.integration.test_loop_import import fixture_zip


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name in ("COMEBACK_URL", "COMEBACK_TOKEN", "COMEBACK_CONFIG", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    yield {"COMEBACK_CONFIG": str(tmp_path / "cfg" / "config.json")}


class Cli:
    def __init__(self, http: httpx.AsyncClient, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(commands, "Api", functools.partial(Api, transport=bridge(http)))
        self.env = env

    async def __call__(self, *args: str, input: str | None = None, **env: str) -> Result:
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, main, list(args), input=input,
                                       env={**self.env, **env}, catch_exceptions=False)

    async def json(self, *args: str, **env: str) -> Any:
        result = await self(*args, "--json", **env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)


@pytest.fixture
async def cli(http: httpx.AsyncClient, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(http, env, monkeypatch)


def saved_config(path: Path) -> tuple[dict[str, Any], int]:
    return json.loads(path.read_text()), stat.S_IMODE(path.stat().st_mode)


async def signed_in(api: GraphQLApi, cli: Cli) -> None:
    api.as_user(await factories.user(email="cli@example.com", timezone="UTC"))
    out = await cli("login", "--url", "http://test", "--email", "cli@example.com", "--password-stdin",
                    input="correct horse battery\n")
    assert out.exit_code == 0, out.output


async def test_login_saves_a_personal_token_readable_only_by_you(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    saved, mode = saved_config(Path(cli.env["COMEBACK_CONFIG"]))
    tokens = (await api.data("{ apiTokens { name scopes } }"))["apiTokens"]
    assert saved["url"] == "http://test" and saved["token"].startswith("cbp")
    assert mode == 0o600
    assert [t["scopes"] for t in tokens] == [["READ", "WRITE"]]
    assert (await cli.json("habits")) == []
    wrong = await cli("login", "--url", "http://test", "--email", "cli@example.com", "--password-stdin",
                      input="wrong password\n")
    assert (wrong.exit_code, wrong.output.strip()) == (3, "error: wrong e-mail or password")  # authentication


async def test_log_by_name_prints_the_streak_and_a_replay_never_doubles(api: GraphQLApi, cli: Cli,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    await signed_in(api, cli)
    # both runs of the same command fall in the same minute (the key without --at is per minute)
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    monkeypatch.setattr(commands, "_now", lambda: minute)
    today = datetime.now(UTC).date()
    await api.create_habit(name="Read", category="READING", targetQuantity=10, unit="pages",
                           startDate=(today - timedelta(days=3)).isoformat())
    await api.create_habit(name="Run", startDate=(today - timedelta(days=3)).isoformat())
    yesterday = (today - timedelta(days=1)).isoformat()
    first = await cli("log", "read", "--qty", "10", "--at", f"{yesterday}T20:00")
    again = await cli("log", "READ", "--qty", "10", "--at", f"{yesterday}T20:00")
    now = await cli.json("log", "Rea", "--qty", "12", "--note", "on the train")
    now_again = await cli.json("log", "Rea", "--qty", "12", "--note", "on the train")
    assert first.output == f"Read: logged 10 pages on {yesterday}. Streak: 1 day.\n"
    assert again.output == f"Read: already logged 10 pages on {yesterday}. Streak: 1 day.\n"
    assert now["alreadyLogged"] is False and now_again["alreadyLogged"] is True
    assert (now["day"], now["quantity"], now["note"], now["habit"]["currentStreak"]) == (
        today.isoformat(), 12.0, "on the train", 2)
    assert now_again["id"] == now["id"]
    assert await tables.CheckIn.count() == 2
    ambiguous = await cli("log", "r")
    missing = await cli("log", "swim", "--json")
    bad_time = await cli("log", "Run", "--at", "soon")
    assert (ambiguous.exit_code, ambiguous.output) == (
        2, "error: 'r' could be 'Read', 'Run': type more of the name, or use the id\n")
    assert missing.exit_code == 2 and json.loads(missing.output.splitlines()[0])["error"]["code"] == "NOT_FOUND"
    assert bad_time.exit_code == 1
    assert (await cli("log")).exit_code == 1  # usage


async def test_undo_skip_status_and_habits(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    today = datetime.now(UTC).date()
    walk = await api.create_habit(name="Walk", startDate=(today - timedelta(days=2)).isoformat())
    await cli("log", "walk", "--at", "yesterday")
    logged = await cli.json("log", "walk")
    undone = await cli.json("undo")
    skipped = await cli("skip", "walk", "--day", "yesterday")
    habits = await cli.json("habits")
    status = await cli("status")
    assert (undone["id"], undone["undone"]) == (logged["id"], True)
    assert skipped.output == f"Walk: {today - timedelta(days=1)} skipped. Streak: 1 day.\n"
    assert [(h["id"], h["currentStreak"], h["doneToday"]) for h in habits] == [(walk["id"], 1, False)]
    assert status.output.splitlines()[0] == f"{today:%A %Y-%m-%d}: 0 of 1 habits done today"
    assert status.output.splitlines()[1].startswith("  [ ] Walk")
    assert (await cli("undo", "--id", "00000000-0000-0000-0000-000000000000")).exit_code == 2


async def test_habits_are_listed_in_your_order(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    ids = [(await api.create_habit(name=name))["id"] for name in ("Walk", "Read", "Gym")]
    await api.data("mutation($ids: [ID!]!) { habitsReorder(ids: $ids) { id } }", {"ids": [ids[2], ids[0], ids[1]]})
    assert [h["name"] for h in await cli.json("habits")] == ["Gym", "Walk", "Read"]
    assert [line.split()[0] for line in (await cli("habits")).output.splitlines()] == ["Gym", "Walk", "Read"]


async def test_exit_codes_for_auth_and_an_unreachable_server(api: GraphQLApi, cli: Cli,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    no_token = await cli("habits")
    bad_token = await cli("habits", COMEBACK_URL="http://test", COMEBACK_TOKEN="cbp_nope")
    api.as_user(await factories.user())
    read_only = (await api.data('mutation { apiTokenCreate(input: {name: "r", scopes: [READ]}) '
                                '{ ... on ApiTokenCreated { secret } } }'))["apiTokenCreate"]["secret"]
    await api.create_habit(name="Walk")
    forbidden = await cli("log", "Walk", COMEBACK_URL="http://test", COMEBACK_TOKEN=read_only)
    monkeypatch.setattr(commands, "Api", functools.partial(Api, retries=0))
    unreachable = await cli("habits", COMEBACK_URL="http://127.0.0.1:9", COMEBACK_TOKEN="x")
    assert [r.exit_code for r in (no_token, bad_token, forbidden, unreachable)] == [3, 3, 3, 4]
    assert forbidden.output.startswith("error: this token is read-only")


async def test_export_and_import_through_the_cli(api: GraphQLApi, cli: Cli, tmp_path: Path) -> None:
    await signed_in(api, cli)
    today = datetime.now(UTC).date()
    await api.create_habit(name="Walk", startDate=(today - timedelta(days=5)).isoformat())
    for n in (3, 2, 1):
        await cli("log", "Walk", "--at", (today - timedelta(days=n)).isoformat())
    await cli("remind", "Walk", "07:30", "--days", "mon,fri")
    exported = await cli("export", "-o", str(tmp_path / "backup.json"))
    csv_out = await cli("export", "--csv")
    before = await cli.json("habits")
    api.as_user(await factories.user(email="second@example.com"))
    token = (await api.data('mutation { apiTokenCreate(input: {name: "cli", scopes: [WRITE]}) '
                            '{ ... on ApiTokenCreated { secret } } }'))["apiTokenCreate"]["secret"]
    second = {"COMEBACK_URL": "http://test", "COMEBACK_TOKEN": token}
    dry = await cli.json("import", str(tmp_path / "backup.json"), "--dry-run", **second)
    restored = await cli("import", str(tmp_path / "backup.json"), **second)
    again = await cli.json("import", str(tmp_path / "backup.json"), **second)
    after = await cli.json("habits", **second)
    reminders = (await api.data("{ habits { reminders { time weekdays enabled } } }"))["habits"][0]["reminders"]
    not_json = await cli("import", str(cli.env["COMEBACK_CONFIG"]) + ".missing", **second)
    assert exported.output == f"Exported 1 habit and 3 check-ins to {tmp_path / 'backup.json'}\n"
    assert csv_out.output.splitlines()[0] == "habit_id,habit_name,day,occurred_at,quantity,note,source"
    assert len(csv_out.output.splitlines()) == 4
    assert (dry["dryRun"], dry["checkInsCreated"]) == (True, 3)
    assert restored.output == ("Created 1 habit, 3 check-ins, 0 skips, 0 pauses, 1 reminder, 0 journal entries; "
                               "0 already there.\n")
    assert (again["checkInsCreated"], again["remindersCreated"], again["unchanged"]) == (0, 0, 5)
    assert reminders == [{"time": "07:30", "weekdays": [1, 5], "enabled": True}]
    strip = [{k: v for k, v in h.items() if k != "id"} for h in before]
    assert [{k: v for k, v in h.items() if k != "id"} for h in after] == strip
    assert not_json.exit_code == 1


async def test_loop_import_through_the_cli(api: GraphQLApi, cli: Cli, tmp_path: Path) -> None:
    await signed_in(api, cli)
    today = datetime.now(UTC).date()
    path = tmp_path / "Loop Habits CSV 2026-03-01.zip"
    path.write_bytes(fixture_zip(today))
    dry = await cli("import", "--loop", str(path), "--dry-run")
    done = await cli.json("import", "--loop", str(path))
    broken = await cli("import", "--loop", str(cli.env["COMEBACK_CONFIG"]).replace("config.json", "nope.zip"))
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    bad = await cli("import", "--loop", str(tmp_path / "bad.zip"))
    exported = await cli("export", "--loop", str(tmp_path / "back.zip"))
    assert dry.output.splitlines()[:2] == [
        "Meditate (create, daily): would import 46 check-ins, 3 skips; 0 already there; Loop's numbers exactly",
        "  note: 2 notes on days without a check-in are not kept (Comeback keeps notes with check-ins): "
        f"{today - timedelta(days=42)} (UNKNOWN) 'forgot to log'; {today - timedelta(days=8)} (SKIP) 'travelling'"]
    assert "Gym (create, 3 in any 7 days)" in dry.output and "Sugar (create, quit, at most 1 a day)" in dry.output
    assert [h["name"] for h in done["habits"]] == ["Meditate", "Gym", "Read", "Old habit", "Sugar"]
    assert (broken.exit_code, bad.exit_code) == (1, 2)
    assert bad.output == f"error: {tmp_path / 'bad.zip'}: not a ZIP file: use Loop's Settings > Export as CSV\n"
    assert exported.exit_code == 0 and exported.output.startswith(f"Wrote your habits to {tmp_path / 'back.zip'}")
    assert (tmp_path / "back.zip").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("fault", ["corrupt deflate", "understated size", "garbage", "lone CR"])
async def test_a_broken_loop_file_is_a_clear_error_not_a_traceback(api: GraphQLApi, cli: Cli, tmp_path: Path,
                                                                   fault: str) -> None:
    await signed_in(api, cli)
    data = {"corrupt deflate": loop_faults.corrupt_deflate, "understated size": loop_faults.understated_size,
            "garbage": loop_faults.garbage, "lone CR": loop_faults.lone_cr}
    path = tmp_path / "Loop.zip"
    path.write_bytes(data[fault]())
    out = await cli("import", "--loop", str(path))
    assert out.exit_code == 2, out.output
    assert out.output.startswith(f"error: {path}: ") and "Traceback" not in out.output
    assert await tables.Habit.count() == 0


async def test_status_shows_a_day_an_interval_habit_covers(api: GraphQLApi, cli: Cli) -> None:
    # given "once in any 2 days", checked yesterday: today needs nothing
    await signed_in(api, cli)
    today = datetime.now(UTC).date()
    habit = await api.create_habit(name="Water plants", startDate=(today - timedelta(days=1)).isoformat(),
                                   schedule={"period": "INTERVAL", "times": 1, "days": 2})
    await api.check_in(habit["id"], occurredAt=f"{(today - timedelta(days=1)).isoformat()}T12:00:00+00:00")

    # when
    out = await cli("status")

    # then
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1].startswith("  [~] Water plants")
    assert "covered" in out.output.splitlines()[1] and "streak 2 days" in out.output.splitlines()[1]


async def test_remind_on_the_habits_days_or_chosen_ones(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    await api.create_habit(name="Lift", schedule={"period": "WEEKDAYS", "weekdays": [1, 3, 5]})

    default = await cli("remind", "lift", "07:30")
    chosen = await cli.json("remind", "lift", "18:05", "--days", "Sat,sun")
    bad_day = await cli("remind", "lift", "07:30", "--days", "someday")
    bad_time = await cli("remind", "lift", "7:30")

    assert default.output == "Lift: reminder at 07:30 on Mon, Wed, Fri (the habit's days).\n"
    assert (chosen["time"], chosen["weekdays"], chosen["followsHabit"], chosen["habit"]) == ("18:05", [6, 7], False,
                                                                                              "Lift")
    assert bad_day.exit_code == 1 and "unknown day 'som'" in bad_day.output
    assert bad_time.exit_code == 2 and "HH:MM" in bad_time.output
    listed = await api.data("{ habits { reminders { time weekdays } } }")
    assert listed["habits"][0]["reminders"] == [{"time": "07:30", "weekdays": [1, 3, 5]},
                                                {"time": "18:05", "weekdays": [6, 7]}]


async def test_webhooks_lists_each_webhook_with_its_latest_deliveries(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    assert (await cli("webhooks")).output == "No webhooks yet.\n"
    created = await api.data('mutation { webhookCreate(input: {url: "https://1.1.1.1/hook", '
                             "events: [CHECK_IN_CREATED, STEP_UNLOCKED]}) "
                             "{ ... on WebhookCreated { webhook { id } } } }")
    hook_id = created["webhookCreate"]["webhook"]["id"]
    await api.data("mutation($id: ID!) { webhookTest(id: $id) { __typename } }", {"id": hook_id})
    listed = await cli.json("webhooks")
    assert [(w["id"], w["events"], [d["event"] for d in w["deliveries"]]) for w in listed] == [
        (hook_id, ["CHECK_IN_CREATED", "STEP_UNLOCKED"], ["webhook.test"])]
    lines = (await cli("webhooks")).output.splitlines()
    assert lines[0] == f"https://1.1.1.1/hook  enabled  CHECK_IN_CREATED,STEP_UNLOCKED  {hook_id}"
    assert "webhook.test" in lines[1] and "PENDING" in lines[1] and "attempt 0  HTTP -" in lines[1]
