"""Every example of docs/api.md, run in order against a real server, so the cookbook never rots.

`sh` blocks run with bash (-eu, pipefail), `python` blocks with this interpreter, `json` blocks are
POSTed to /graphql the way the Shortcuts example says; the `crontab` line is the one the cron
example printed, run with cron's bare environment. Nothing is set up behind the document's back:
the blocks see COMEBACK_URL and a HOME of their own, the first one signs up and creates the habits,
and its `export COMEBACK_TOKEN=...` line is applied for the rest, as the reader is told to.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import clients
from tests.integration import servers
from tests.integration.servers import Server

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CHECK_INS = """{ habits { name checkIns(first: 100) { edges { node { id day quantity undone } } } } }"""


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOC.read_text())]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # The webhook example's receiver listens on loopback, a private target.
    running = servers.start(tmp_path_factory.mktemp("docs-server"), extra_env={"COMEBACK_WEBHOOK_ALLOW_PRIVATE": "1"})
    try:
        servers.wait(running)
        yield running
    finally:
        servers.stop(running)


def check_ins(server: Server, token: str) -> dict[str, list[dict]]:
    return {h["name"]: [e["node"] for e in h["checkIns"]["edges"]]
            for h in server.graphql(CHECK_INS, token=token)["habits"]}


CRON_ENVIRONMENT = {"SHELL": "/bin/sh", "PATH": "/usr/bin:/bin", "LOGNAME": "me"}  # what cron gives a job, + HOME


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("jq") and shutil.which("curl")),
                    reason="the examples use bash, curl and jq")
def test_every_example_of_the_api_cookbook_runs_from_an_empty_account(server: Server, tmp_path: Path) -> None:
    # Nothing is prepared: the first example signs up and creates the habits the others use.
    home = tmp_path / "home"
    home.mkdir()
    env = {**servers.environment(tmp_path), "HOME": str(home), "COMEBACK_URL": server.url}
    for key in ("COMEBACK_TOKEN", "COMEBACK_CONFIG", "XDG_CONFIG_HOME"):
        env.pop(key, None)
    examples = blocks()
    assert [kind for kind, _ in examples] == ["sh", "sh", "sh", "sh", "python", "python", "sh", "sh", "sh",
                                              "crontab", "json", "sh", "sh", "sh", "python"]
    outputs: list[str] = []
    walks_before_cron = 0
    token = ""
    for index, (kind, code) in enumerate(examples):
        if kind == "sh":
            if "comeback-steps" in code:
                walks_before_cron = len(check_ins(server, token)["Walk"])
            run = subprocess.run(["bash", "-euo", "pipefail", "-c", code], env=env, cwd=tmp_path,
                                 capture_output=True, text=True, timeout=120)
        elif kind == "python":
            run = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                                 text=True, timeout=120)
        elif kind == "json":
            walk = next(h for h in server.graphql("{ habits { id name } }", token=token)["habits"]
                        if h["name"] == "Walk")
            today = server.graphql("{ me { today } }", token=token)["me"]["today"]
            body = json.loads(code.replace("YOUR-HABIT-ID", walk["id"]).replace("YYYY-MM-DD", today))
            answers = [clients.post(server.url + "/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                       .json()["data"]["habitCheckIn"] for _ in range(2)]  # a double tap
            assert answers[0] == answers[1] and answers[0]["habit"]["name"] == "Walk", answers
            outputs.append(json.dumps(answers[0]))
            continue
        else:  # crontab: the line the cron example printed, run the way cron runs it
            outputs.append(run_like_cron(code, outputs[-1], home))
            continue
        assert run.returncode == 0, f"example {index + 1} ({kind}) failed:\n{code}\n--- stderr:\n{run.stderr}"
        outputs.append(run.stdout)
        if index == 0:  # the reader runs the `export COMEBACK_TOKEN=...` line it printed
            exported = re.fullmatch(r"export COMEBACK_TOKEN=(cbp\S+)\n", run.stdout)
            assert exported, run.stdout
            token = env["COMEBACK_TOKEN"] = exported.group(1)

    after = check_ins(server, token)
    assert '"undone":true' in outputs[1] and '"name": "Walk"' in outputs[1] and '"strength"' in outputs[1]
    assert outputs[2].count('"created":3') == 2 and outputs[2].count('"dryRun":true') == 1
    # the import's three days, python's 12, and the 5 pages the webhook example logs
    assert sorted(c["quantity"] for c in after["Read"]) == [5, 10, 12, 20, 30]
    assert (tmp_path / "comeback-backup.json").exists() and outputs[3].startswith("habit_id,habit_name,day")
    assert re.search(r"^12 pages on \d{4}-\d\d-\d\d, streak \d+$", outputs[4], re.MULTILINE)
    assert "today is" in outputs[5] and "Walk: strength" in outputs[5]
    assert "Walk: logged 1 on" in outputs[6] and "Read\t" in outputs[6]
    assert "Walk: reminder at 07:30 on Mon, Wed, Fri." in outputs[6]
    # reminders: Walk's (a daily habit) fires tomorrow morning whatever today is; Read's one is switched off
    assert re.search(r'^\["\S+T\S+","Walk"\]$', outputs[7], re.MULTILINE) and outputs[7].endswith("true\n")
    reminders = server.graphql("{ habits { name reminders { time weekdays followsHabit enabled } } }", token=token)
    assert {h["name"]: h["reminders"] for h in reminders["habits"] if h["reminders"]} == {
        "Walk": [{"time": "07:30", "weekdays": [1, 3, 5], "followsHabit": False, "enabled": True},
                 {"time": "07:30", "weekdays": [1, 2, 3, 4, 5, 6, 7], "followsHabit": True, "enabled": True}],
        "Read": [{"time": "21:00", "weekdays": [1, 3, 5], "followsHabit": False, "enabled": False}]}
    # the cron line ran comeback, which found the saved login and today's walk the script had logged
    assert "Walk: already logged 1 on" in outputs[9]
    # the cron script (run twice, then by cron: one check-in) and the shortcut (a double tap: one)
    assert len(after["Walk"]) == walks_before_cron + 2
    assert "x-ratelimit-remaining" in outputs[11].lower()
    assert outputs[12].splitlines()[1].startswith('[{"name":"Read","position":0},{"name":"Walk","position":1}')
    assert [p["reason"] for p in server.graphql("{ pauses { reason habits { id } } }", token=token)["pauses"]] == [
        "holiday"]
    # the account's one session (its sign-up), then none, and the personal access token still answers
    lines = outputs[13].splitlines()
    assert (len(lines), json.loads(lines[0])["current"], lines[1:]) == (3, False, ["true", "0"])
    assert outputs[14] == "check_in.created 5.0 True\n"  # delivered to the receiver, its signature verified


def run_like_cron(documented: str, printed: str, home: Path) -> str:
    """Run the crontab line the example printed in cron's environment; the documented one must match it."""
    line = printed.strip().splitlines()[-1]
    fields = line.split(None, 5)
    directory = re.search(r"PATH=(\S+):/usr/bin:/bin ", line)
    assert directory and Path(directory.group(1), "comeback").exists(), line
    assert documented.strip() == line.replace(directory.group(1), "/home/me/comeback/.venv/bin")
    cron = {**CRON_ENVIRONMENT, "HOME": str(home)}
    # without the PATH the line sets, the script does not find comeback: the failure this line avoids
    bare = subprocess.run(["/bin/sh", "-c", "$HOME/bin/comeback-steps"], env=cron, capture_output=True,
                          text=True, timeout=60)
    assert bare.returncode == 127, bare
    run = subprocess.run(["/bin/sh", "-c", fields[5]], env=cron, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"the crontab line failed under cron's environment:\n{line}\n{run.stderr}"
    return run.stdout
