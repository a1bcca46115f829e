"""What a benchmark ran on: machine, Python, the stack's versions, the database and the load tool."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from typing import Any

PACKAGES = ("litestar", "strawberry-graphql", "graphql-core", "piccolo", "arq", "uvicorn", "orjson")


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _wrk() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()
    except (OSError, IndexError):
        return "not installed"


def describe(database: str | None = None) -> dict[str, Any]:
    """`database` is a server version string when the caller has one (e.g. PostgreSQL's `SHOW server_version`)."""
    import sqlite3

    return {
        "cpu": _cpu_model(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: version(p) for p in PACKAGES},
        "sqlite": sqlite3.sqlite_version, "database_server": database, "wrk": _wrk(),
    }
