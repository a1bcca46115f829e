"""docs/clients.md's graphql-codegen setup works: types for the operations compile under `tsc --strict`.

The setup lives in tests/codegen (versions pinned in its package-lock.json); the document shows its
files, and this test holds the two together.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "tests" / "codegen"
DOC = ROOT / "docs" / "clients.md"


def _installed() -> Path:
    bin_dir = CODEGEN / "node_modules" / ".bin"
    if (bin_dir / "graphql-codegen").exists() and (bin_dir / "tsc").exists():
        return bin_dir
    npm = shutil.which("npm")
    done = npm and subprocess.run([npm, "ci", "--prefix", str(CODEGEN), "--no-audit", "--no-fund"],
                                  capture_output=True, timeout=300).returncode == 0
    if not done:
        if os.environ.get("COMEBACK_REQUIRE_SERVICES"):
            pytest.fail("could not install tests/codegen (npm ci) for the codegen check")
        pytest.skip("graphql-codegen is not installed: run `npm ci --prefix tests/codegen`")
    return bin_dir


def test_the_documented_setup_is_the_tested_one() -> None:
    doc = DOC.read_text()
    for name in ("codegen.ts", "operations/today.graphql", "client.ts"):
        assert (CODEGEN / name).read_text().strip() in doc, f"docs/clients.md does not show tests/codegen/{name}"
    assert '"@graphql-codegen/typescript-operations": "6.1.9"' in (CODEGEN / "package.json").read_text()
    assert "@graphql-codegen/typescript-operations@6.1.9" in doc


def test_generated_operation_types_compile_under_tsc_strict() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the codegen check needs Node.js 20+")
    bin_dir = _installed()

    generated = subprocess.run([str(bin_dir / "graphql-codegen"), "--config", "codegen.ts"], cwd=CODEGEN,
                               capture_output=True, text=True, timeout=180)
    compiled = subprocess.run([str(bin_dir / "tsc"), "--strict", "--noEmit", "-p", "."], cwd=CODEGEN,
                              capture_output=True, text=True, timeout=180)

    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert compiled.returncode == 0, compiled.stdout
    types = (CODEGEN / "generated" / "operations.ts").read_text()
    assert "export type TodayQuery = " in types and "export type CheckInMutation = " in types
    assert "occurredAt: string" in types  # DateTime: the string it travels as (the scalars map), not `any`
