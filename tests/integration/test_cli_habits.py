"""`comeback habit add|edit|archive|restore`, and the CLI's answers a newcomer tripped over (issue 17)."""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from server.cli import main
from server.client import commands
from server.client.api import Api, ExitCode
from tests.integration import test_cli
from tests.integration.api import Api as GraphQLApi
from tests.integration.test_cli import Cli, signed_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
env, cli = test_cli.env, test_cli.cli  # the CLI tests' fixtures: a config of its own, the app behind


async def test_habit_add_with_every_kind_of_schedule_then_edit_archive_and_restore(api: GraphQLApi,
                                                                                    cli: Cli) -> None:
    await signed_in(api, cli)
    start = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()

    walk = await cli("habit", "add", "Walk")
    read = await cli.json("habit", "add", "Read", "--category", "reading", "--target", "20", "--unit", "pages",
                          "--start", start)
    gym = await cli.json("habit", "add", "Gym", "--weekly", "3", "--category", "WORKOUT")
    plants = await cli.json("habit", "add", "Water plants", "--interval", "2/3")
    yoga = await cli("habit", "add", "Yoga", "--weekdays", "mon,wed,5")
    sugar = await cli.json("habit", "add", "Sugar", "--quit", "--daily-limit", "1")
    run = await cli.json("habit", "add", "Run", "--interval", "1/7", "--total", "--target", "20", "--unit", "km")

    assert walk.output == "Added Walk (custom, daily). Log it with: comeback log walk\n"
    assert (read["startDate"], read["targetQuantity"], read["unit"], read["category"]) == (
        start, 20.0, "pages", "READING")
    assert gym["schedule"]["period"] == "WEEKLY" and gym["schedule"]["timesPerWeek"] == 3
    assert (plants["schedule"]["times"], plants["schedule"]["days"], plants["schedule"]["total"]) == (2, 3, False)
    assert yoga.output == "Added Yoga (custom, on mon,wed,fri). Log it with: comeback log yoga\n"
    assert (sugar["kind"], sugar["dailyLimit"]) == ("QUIT", 1.0)
    assert run["schedule"]["total"] is True

    edited = await cli("habit", "edit", "gym", "--name", "Gym sessions", "--interval", "3/7")
    archived = await cli("habit", "archive", "read")
    listed = [h["name"] for h in await cli.json("habits")]
    restored = await cli.json("habit", "restore", "read")

    assert edited.output == "Changed Gym sessions (workout, 3 times in any 7 days).\n"
    assert archived.exit_code == 0 and "Read" not in listed and "Gym sessions" in listed
    assert (restored["name"], restored["archived"]) == ("Read", False)


async def test_habit_delete_asks_first_unless_told_yes(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    await cli("habit", "add", "Walk")
    await cli("habit", "add", "Read")

    kept = await cli("habit", "delete", "walk", input="n\n")
    asked = await cli("habit", "delete", "walk", input="y\n")
    scripted = await cli.json("habit", "delete", "read", "--yes")
    gone = await cli("habit", "delete", "read", "--yes")

    assert kept.exit_code == 1 and "not deleted" in kept.output
    assert asked.exit_code == 0 and "Deleted Walk and its history." in asked.output
    assert scripted["name"] == "Read" and scripted["__typename"] == "HabitDeleted"
    assert gone.exit_code == 2  # no such habit any more
    assert await cli.json("habits") == []


async def test_habit_commands_refuse_bad_input_with_the_documented_exit_codes(api: GraphQLApi, cli: Cli) -> None:
    await signed_in(api, cli)
    await cli("habit", "add", "Walk")

    two_schedules = await cli("habit", "add", "Swim", "--daily", "--weekly", "2")
    bad_interval = await cli("habit", "add", "Swim", "--interval", "every other day")
    empty = await cli("habit", "add", " ")
    nothing_to_change = await cli("habit", "edit", "walk")
    unknown = await cli("habit", "edit", "swim", "--name", "Swimming", "--json")
    refused = await cli("habit", "add", "Swim", "--target", "0", "--json")  # the server's own validation
    no_subcommand = await cli("habit", "fly")

    assert [r.exit_code for r in (two_schedules, bad_interval, empty, nothing_to_change, no_subcommand)] == [1] * 5
    assert two_schedules.output == "error: give one schedule, not --daily and --weekly\n"
    assert (unknown.exit_code, json.loads(unknown.output.splitlines()[0])["error"]["code"]) == (2, "NOT_FOUND")
    assert (refused.exit_code, json.loads(refused.output.splitlines()[0])["error"]["code"]) == (2, "INVALID_INPUT")
    assert [h["name"] for h in await cli.json("habits")] == ["Walk"]


async def test_undo_twice_says_there_is_nothing_left_to_undo(api: GraphQLApi, cli: Cli,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    monkeypatch.setattr(commands, "_now", lambda: minute)  # every run in one minute: one idempotency key
    await signed_in(api, cli)
    await cli("habit", "add", "Walk")
    await cli("log", "walk")

    first = await cli("undo")
    second = await cli("undo", "--json")
    replayed = await cli("log", "walk")  # the same minute: the same key, whose check-in is undone

    assert first.exit_code == 0 and "undid the check-in" in first.output
    assert second.exit_code == ExitCode.INVALID
    error = json.loads(second.output.splitlines()[0])["error"]
    assert error["code"] == "NOTHING_TO_UNDO" and "already undone" in error["message"]
    assert replayed.output.startswith("Walk: already logged and undone 1 on ")


async def test_empty_habit_name_and_the_own_csv_export_are_refused_clearly(api: GraphQLApi, cli: Cli,
                                                                          tmp_path: Path) -> None:
    await signed_in(api, cli)
    await cli("habit", "add", "Walk")
    await cli("log", "walk")
    await cli("export", "--csv", "-o", str(tmp_path / "check-ins.csv"))

    empty = await cli("log", "")
    csv_import = await cli("import", str(tmp_path / "check-ins.csv"), "--json")

    assert (empty.exit_code, empty.output) == (1, "error: HABIT is empty: give a habit's name or id "
                                                  "(see `comeback habits`)\n")
    assert csv_import.exit_code == 2
    error = json.loads(csv_import.output.splitlines()[0])["error"]
    assert error["code"] == "UNSUPPORTED_FORMAT" and "check-ins CSV" in error["message"]
    assert len(await cli.json("habits")) == 1


async def test_which_server_you_are_logged_in_to_and_urls_ending_in_graphql(api: GraphQLApi, cli: Cli,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    await signed_in(api, cli)  # saved for http://test

    elsewhere = await cli("habits", "--url", "http://other.example")
    endpoint = await cli("habits", "--url", "http://test/graphql/")
    monkeypatch.setattr(commands, "Api", functools.partial(Api, retries=0))
    unreachable = await cli("habits", "--json", COMEBACK_URL="http://127.0.0.1:9/graphql", COMEBACK_TOKEN="x")

    assert elsewhere.exit_code == 3
    assert elsewhere.output == ("error: not logged in to http://other.example: you are logged in to http://test; "
                                "run `comeback login --url http://other.example` or set COMEBACK_TOKEN\n")
    assert endpoint.exit_code == 0, endpoint.output
    assert unreachable.exit_code == 4
    assert json.loads(unreachable.output.splitlines()[0])["error"]["code"] == "UNREACHABLE"


def test_docs_cli_md_documents_every_command_and_exit_code() -> None:
    text = DOC.read_text()
    names = []
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            names += [f"{name} {sub}" for sub in command.commands]
        else:
            names.append(name)
    headings = set(re.findall(r"^### `comeback ([a-z -]+)`", text, re.MULTILINE))
    assert sorted(set(names) - headings) == []
    assert {int(code) for code in re.findall(r"^\| `(\d)` \|", text, re.MULTILINE)} == {int(c) for c in ExitCode}
    log_options = [p for p in main.commands["log"].params if isinstance(p, click.Option)]
    assert any("docs/cli.md" in (option.help or "") for option in log_options)  # `log --help` points here
