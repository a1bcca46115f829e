#!/usr/bin/env bash
# Issue 6, done when: with nothing but the `comeback` command and tokens, log a week of habits,
# replay every command (nothing may double), export, restore into a fresh account on a second
# server (another database), and leave both accounts' habits side by side for comparison.
#
# Needs: COMEBACK_URL, COMEBACK_TOKEN   the source account (it has habits "Walk" and "Read")
#        TARGET_URL, TARGET_TOKEN       a fresh account on the second server
#        DAYS                           the week, oldest first (YYYY-MM-DD ...); SKIP_DAY one of them
#        WORK                           a scratch directory
# Run by tests/integration/test_cli_roundtrip.py.
set -euo pipefail

log_week() {
  local n=0
  for day in $DAYS; do
    if [ "$day" = "$SKIP_DAY" ]; then
      comeback skip walk --day "$day" > /dev/null          # sick: keeps the streak
    else
      comeback log walk --at "$day" > /dev/null
    fi
    comeback log read --qty $(( n % 3 == 0 ? 12 : 25 )) --note "day $n" --at "$day" > /dev/null
    n=$(( n + 1 ))
  done
}

log_week
comeback habits --json > "$WORK/first-run.json"
log_week                                                     # the same commands again
comeback habits --json > "$WORK/replayed.json"

comeback export -o "$WORK/export.json" > /dev/null
comeback export --csv -o "$WORK/check-ins.csv"

target() { COMEBACK_URL="$TARGET_URL" COMEBACK_TOKEN="$TARGET_TOKEN" comeback "$@"; }
target import "$WORK/export.json" > "$WORK/restore.txt"
target import "$WORK/export.json" --json > "$WORK/restore-again.json"   # idempotent: creates nothing

comeback habits --json > "$WORK/source.json"
target habits --json > "$WORK/target.json"
comeback status
