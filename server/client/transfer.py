"""Moving data through the API: restoring an export (in parts when large), and Loop Habit Tracker's ZIP in
and out."""

from __future__ import annotations

import base64
import json
from typing import Any

from server.client.api import Api, ClientError, ExitCode, result

# The server refuses request bodies over COMEBACK_MAX_BODY_BYTES (1 MiB by default): larger exports
# go in parts. Every part restores idempotently (ids derive from the export's), so a part that
# fails is simply sent again by re-running the command.
PART_BYTES = 600_000

ACCOUNT_IMPORT = """mutation($input: AccountImportInput!) { accountImport(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on AccountImportReport { dryRun habitsCreated checkInsCreated skipsCreated pausesCreated remindersCreated
    journalEntriesCreated achievementsRestored stepsRestored unchanged profileApplied } } }"""
_COUNTS = ("habitsCreated", "checkInsCreated", "skipsCreated", "pausesCreated", "remindersCreated",
           "journalEntriesCreated", "achievementsRestored", "stepsRestored", "unchanged")


def split_export(document: dict[str, Any], part_bytes: int = PART_BYTES) -> list[dict[str, Any]]:
    """The export as documents of about `part_bytes` each; every part carries all habits and the profile."""
    # Reminders are split like the rest (every part carries all habits, so each finds its own), else
    # each part after the first would count them again as already there.
    lists = ("checkIns", "skips", "pauses", "reminders", "journalEntries", "achievements")
    base = {k: v for k, v in document.items() if k not in lists}
    if len(json.dumps(document)) <= part_bytes:
        return [document]
    base_size = len(json.dumps(base))
    parts: list[dict[str, Any]] = []
    current: dict[str, list[Any]] = {k: [] for k in lists}
    size = base_size
    for key in lists:
        for item in document.get(key) or []:
            item_size = len(json.dumps(item)) + 2
            if size + item_size > part_bytes and any(current.values()):
                parts.append({**base, **current})
                current, size = {k: [] for k in lists}, base_size
            current[key].append(item)
            size += item_size
    parts.append({**base, **current})
    # The program's unlocks ride with the first part only; later parts restore nothing twice anyway.
    return [parts[0], *({**p, "program": {"unlockedSteps": []}} for p in parts[1:])]


def restore(api: Api, document: Any, dry_run: bool, part_bytes: int = PART_BYTES) -> dict[str, Any]:
    """accountImport, in parts when the export is large; the reports are added up."""
    if not isinstance(document, dict) or document.get("format") != "comeback-export":
        raise ClientError("not a Comeback export (expected \"format\": \"comeback-export\"); for Loop Habit "
                          "Tracker's ZIP use --loop", ExitCode.INVALID)
    total: dict[str, Any] = {"dryRun": dry_run, "profileApplied": False, "parts": 0, **dict.fromkeys(_COUNTS, 0)}
    habits = len(document.get("habits") or [])
    for part in split_export(document, part_bytes):
        out = result(api.graphql(ACCOUNT_IMPORT, {"input": {"data": part, "dryRun": dry_run}}), "accountImport")
        if total["parts"]:
            # Every part carries all habits: after the first, each counts again as created (a dry run
            # cannot see the earlier parts) or as already there. Count them once.
            out = {**out, "habitsCreated": 0, "unchanged": out["unchanged"] - (habits - out["habitsCreated"])}
        for key in _COUNTS:
            total[key] += out[key]
        total["profileApplied"] = total["profileApplied"] or out["profileApplied"]
        total["parts"] += 1
    return total


LOOP_IMPORT = """mutation($input: LoopImportInput!) { loopImport(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field } ... on DuplicateError { field }
  ... on LoopImportReport { dryRun exportedOn habitsCreated checkInsCreated skipsCreated warnings
    habits { position loopName name action kind schedule { period times days total } targetQuantity dailyLimit
      startDate archived checkIns created duplicates skips skipsCreated exact maxScoreDifference daysCompared
      mismatches warnings habit { id } } } } }"""
LOOP_EXPORT = "{ loopExport { filename archive } }"


def import_loop(api: Api, data: bytes, dry_run: bool) -> dict[str, Any]:
    """Send the ZIP as it is: the server reads, checks and stores it in one transaction (all or nothing)."""
    variables = {"input": {"archive": base64.b64encode(data).decode("ascii"), "dryRun": dry_run}}
    # Safe to repeat: every check-in carries an idempotency key, habits are reused by name.
    return result(api.graphql(LOOP_IMPORT, variables), "loopImport")


def export_loop(api: Api) -> tuple[str, bytes]:
    """(Loop's file name, the ZIP) of every habit, in Loop Habit Tracker's CSV format."""
    out = api.graphql(LOOP_EXPORT)["loopExport"]
    return str(out["filename"]), base64.b64decode(out["archive"])
