"""Loop Habit Tracker's reference CSV export, read from a local mirror of its repository.

Loop's exporter test compares its output with uhabits-core/assets/test/csv_export/ (written from
HabitFixtures: "Meditate", empty and daily; "Wake up early", 2 times in 3 days, exported on
2015-01-25). Loop is GPL-licensed, so its files are not copied into this repository: tests read them
from the mirror the search tool fetches (`fetch github:iSoron/uhabits`), at a pinned commit, and
skip, saying why, when the mirror is not on this machine. COMEBACK_LOOP_MIRROR overrides its path.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest

COMMIT = "5aa8744ef4c8e391c875bbb482e3e79740b5fd81"
FOLDER = "uhabits-core/assets/test/csv_export"
FILES = ("Habits.csv", "001 Meditate/Scores.csv", "001 Meditate/Checkmarks.csv", "002 Wake up early/Scores.csv",
         "002 Wake up early/Checkmarks.csv", "Scores.csv", "Checkmarks.csv")  # in the order Loop zips them
EXPORTED_ON = "2015-01-25"
DEFAULT_MIRROR = "/work/.mirror/iSoron+uhabits/repo"


def mirror() -> Path:
    return Path(os.environ.get("COMEBACK_LOOP_MIRROR", DEFAULT_MIRROR))


@lru_cache(maxsize=1)
def _files() -> dict[str, bytes] | None:
    git = shutil.which("git")
    if git is None or not mirror().is_dir():
        return None
    out = {}
    for name in FILES:
        shown = subprocess.run([git, f"--git-dir={mirror()}", "show", f"{COMMIT}:{FOLDER}/{name}"],
                               capture_output=True, check=False)
        if shown.returncode:
            return None
        out[name] = shown.stdout
    return out


def reference_files() -> dict[str, bytes]:
    """Loop's reference export, file by file; skips the test when the mirror is missing."""
    files = _files()
    if files is None:
        pytest.skip(f"Loop's reference export is read from a mirror of iSoron/uhabits at {mirror()} (commit "
                    f"{COMMIT[:12]}), which is not on this machine: fetch it, or set COMEBACK_LOOP_MIRROR")
    return dict(files)


def reference_zip() -> bytes:
    """The reference export as the ZIP Loop's exporter makes of it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in reference_files().items():
            archive.writestr(name, data)
    return out.getvalue()
