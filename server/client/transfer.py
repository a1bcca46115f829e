"""Moving data through the API: restoring an export (in parts when large) and importing a Loop ZIP."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from server.client.api import Api, ClientError, ExitCode, result
from server.client.moments import habit_day_instant
from server.portability.loop import NAME_MAX, PlannedHabit, plan_import, read_zip

# The server refuses request bodies over COMEBACK_MAX_BODY_BYTES (1 MiB by default): larger exports
# go in parts. Every part restores idempotently (ids derive from the export's), so a part that
# fails is simply sent again by re-running the command.
PART_BYTES = 600_000
ROWS_PER_REQUEST = 1000

ACCOUNT_IMPORT = """mutation($input: AccountImportInput!) { accountImport(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on AccountImportReport { dryRun habitsCreated checkInsCreated skipsCreated journalEntriesCreated
    achievementsRestored stepsRestored unchanged profileApplied } } }"""
CHECK_INS_IMPORT = """mutation($input: CheckInsImportInput!) { checkInsImport(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on CheckInsImportReport { created skippedDuplicates rejected skipsCreated }
  ... on ImportRejectedError { report { rows { index status code message } skips { index status code message } } }
} }"""
HABITS = "{ me { timezone dayStartHour today } habits(includeArchived: true) { id name kind startDate archived } }"
HABIT = """__typename ... on Error { code message } ... on Habit { id name startDate archived }"""
HABIT_CREATE = f"mutation($input: HabitCreateInput!) {{ habitCreate(input: $input) {{ {HABIT} }} }}"
HABIT_UPDATE = f"mutation($id: ID!, $input: HabitUpdateInput!) {{ habitUpdate(id: $id, input: $input) {{ {HABIT} }} }}"
HABIT_ARCHIVE = f"mutation($id: ID!) {{ habitArchive(id: $id) {{ {HABIT} }} }}"
HABIT_RESTORE = f"mutation($id: ID!) {{ habitRestore(id: $id) {{ {HABIT} }} }}"

_COUNTS = ("habitsCreated", "checkInsCreated", "skipsCreated", "journalEntriesCreated", "achievementsRestored",
           "stepsRestored", "unchanged")


def split_export(document: dict[str, Any], part_bytes: int = PART_BYTES) -> list[dict[str, Any]]:
    """The export as documents of about `part_bytes` each; every part carries all habits and the profile."""
    lists = ("checkIns", "skips", "journalEntries", "achievements")
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


def _rejections(out: dict[str, Any]) -> str:
    report = out.get("report") or {}
    bad = [r for r in (report.get("rows") or []) + (report.get("skips") or []) if r["status"] == "REJECTED"]
    shown = "; ".join(f"row {r['index']}: {r['code']} {r['message']}" for r in bad[:5])
    return f"{len(bad)} rows rejected ({shown}{'; ...' if len(bad) > 5 else ''})"


def _schedule(h: PlannedHabit) -> dict[str, Any]:
    schedule: dict[str, Any] = {"period": h.schedule.period.value}
    if h.schedule.times_per_week is not None:
        schedule["timesPerWeek"] = h.schedule.times_per_week
    return schedule


def import_loop(api: Api, data: bytes, dry_run: bool) -> dict[str, Any]:
    """Create (or reuse, by name) each Loop habit, then its check-ins and skips in batches, then archive.

    Check-ins carry keys derived from the Loop habit and the day, so running the import again
    (after an interruption, or with a newer export) adds only what is new.
    """
    state = api.graphql(HABITS)
    me = state["me"]
    zone, hour, today = ZoneInfo(me["timezone"]), me["dayStartHour"], date.fromisoformat(me["today"])
    existing = {h["name"].lower(): h for h in state["habits"] if h["kind"] == "BUILD"}
    quit_names = {h["name"].lower() for h in state["habits"] if h["kind"] != "BUILD"}
    plan = plan_import(read_zip(data), today)
    report: dict[str, Any] = {"dryRun": dry_run, "habits": [], "warnings": list(plan.warnings)}
    for planned in plan.habits:
        if planned.name.lower() in quit_names:  # a Loop check-in must never become a slip
            planned = replace(planned, name=f"{planned.name[:NAME_MAX - 7]} (Loop)")
        found = existing.get(planned.name.lower())
        entry: dict[str, Any] = {
            "name": planned.name, "action": "reuse" if found else "create", "schedule": _schedule(planned),
            "targetQuantity": planned.target, "unit": planned.unit, "startDate": planned.start_date.isoformat(),
            "archived": planned.archived, "exactStrength": planned.exact_strength, "checkIns": len(planned.check_ins),
            "skips": len(planned.skips), "created": 0, "duplicates": 0, "skipsCreated": 0,
            "warnings": list(planned.warnings)}
        report["habits"].append(entry)
        if dry_run and not found:
            entry["created"], entry["skipsCreated"] = len(planned.check_ins), len(planned.skips)
            continue
        habit_id, archive_after = _prepare(api, planned, found, dry_run, entry)
        rows = [{"habitId": habit_id, "occurredAt": habit_day_instant(c.day, zone, hour).isoformat(),
                 "quantity": c.quantity, "note": c.note, "idempotencyKey": planned.key(c.day)}
                for c in planned.check_ins]
        skips = [{"habitId": habit_id, "day": d.isoformat()} for d in planned.skips]
        for start in range(0, max(len(rows), len(skips)), ROWS_PER_REQUEST):
            batch = {"rows": rows[start:start + ROWS_PER_REQUEST], "skips": skips[start:start + ROWS_PER_REQUEST],
                     "dryRun": dry_run}
            out = api.graphql(CHECK_INS_IMPORT, {"input": batch})["checkInsImport"]
            if out["__typename"] == "ImportRejectedError":
                raise ClientError(f"{planned.name}: {_rejections(out)}; nothing of this batch was imported",
                                  ExitCode.INVALID, out["code"], out)
            out = result({"checkInsImport": out}, "checkInsImport")
            entry["created"] += out["created"]
            entry["duplicates"] += out["skippedDuplicates"]
            entry["skipsCreated"] += out["skipsCreated"]
            entry["rejected"] = entry.get("rejected", 0) + out["rejected"]  # only a dry run gets here with some
        if archive_after:
            result(api.graphql(HABIT_ARCHIVE, {"id": habit_id}), "habitArchive")
    return report


def _prepare(api: Api, planned: PlannedHabit, found: dict[str, Any] | None, dry_run: bool,
             entry: dict[str, Any]) -> tuple[str, bool]:
    """The habit to import into, and whether to archive it afterwards.

    A new habit is created; one of the same name is reused: reopened while its history is added
    (archived habits take no check-ins) and its start date moved back to Loop's first day.
    """
    if found is None:
        created = result(api.graphql(HABIT_CREATE, {"input": {
            "name": planned.name, "category": "CUSTOM", "kind": "BUILD", "schedule": _schedule(planned),
            "targetQuantity": planned.target, "unit": planned.unit,
            "startDate": planned.start_date.isoformat()}}), "habitCreate")
        return str(created["id"]), planned.archived and not dry_run
    habit_id = str(found["id"])
    if dry_run:
        return habit_id, False
    if found["startDate"] > planned.start_date.isoformat():
        result(api.graphql(HABIT_UPDATE, {"id": habit_id, "input": {"startDate": planned.start_date.isoformat()}}),
               "habitUpdate")
        entry["warnings"].append(f"start date moved back from {found['startDate']} to {planned.start_date}")
    if found["archived"]:
        result(api.graphql(HABIT_RESTORE, {"id": habit_id}), "habitRestore")
    return habit_id, planned.archived or bool(found["archived"])
