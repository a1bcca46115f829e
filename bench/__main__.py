"""Every benchmark in one command, and one report of them all.

    .venv/bin/python -m bench                       # SQLite + embedded Redis (a temp data dir)
    COMEBACK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench \\
    COMEBACK_BENCH_REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python -m bench
        # also PostgreSQL + Redis and the scale-out figure (that database is EMPTIED)

Runs bench.http, bench.recompute, bench.pure, bench.reads (and, with PostgreSQL + Redis, bench.memory) as separate
processes (each its own server and load generator), then writes bench/results/report.md and
report.json from what they wrote. Pass --quick for shorter runs while iterating (the report says so).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.machine import describe

RESULTS = Path(__file__).parent / "results"


def _run(module: str, *args: str, env: dict[str, str]) -> None:
    print(f"== python -m {module} {' '.join(args)}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", module, *args], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s runs, fewer users (for iterating, not reporting)")
    args = parser.parse_args()
    seconds = "3" if args.quick else "8"
    users = "10" if args.quick else "40"
    started = time.time()
    sqlite_env = {k: v for k, v in os.environ.items() if not k.startswith("COMEBACK_BENCH_")}
    _run("bench.http", "--seconds", seconds, "--runs", "3", env=sqlite_env)
    _run("bench.recompute", "--users", users, "--runs", "3", env=sqlite_env)
    _run("bench.pure", "--runs", "10" if args.quick else "30", env=sqlite_env)
    _run("bench.reads", "--runs", "3" if args.quick else "5", env=sqlite_env)
    if os.environ.get("COMEBACK_BENCH_DATABASE_URL") and os.environ.get("COMEBACK_BENCH_REDIS_URL"):
        _run("bench.http", "--seconds", seconds, "--runs", "3", "--scale-out", env=dict(os.environ))
        _run("bench.recompute", "--users", users, "--runs", "3", env=dict(os.environ))
        _run("bench.reads", "--runs", "3" if args.quick else "5", env=dict(os.environ))
        _run("bench.memory", "--users", "1000" if args.quick else "10000", env=dict(os.environ))
    produced = sorted((p for p in RESULTS.glob("*.json") if p.stat().st_mtime >= started and p.stem != "report"),
                      key=lambda p: p.stat().st_mtime)
    report = {"date": date.today().isoformat(), "quick": args.quick, "machine": describe(),
              "figures": {p.stem: json.loads(p.read_text()) for p in produced}}
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2))
    sections = [f"# Comeback benchmarks, {report['date']}{' (quick)' if args.quick else ''}", "",
                f"{report['machine']['cpu']}, {report['machine']['cpus']} CPUs, Python {report['machine']['python']}, "
                f"{report['machine']['wrk']}.", ""]
    for p in produced:
        md = p.with_suffix(".md")
        if md.exists():
            text = md.read_text().removeprefix("# ")  # each file's title becomes a section
            sections += ["## " + text, ""]
    (RESULTS / "report.md").write_text("\n".join(sections))
    print("\n".join(sections))


if __name__ == "__main__":
    main()
