"""The suite runs on the engine it was asked for (CI runs it twice: SQLite, then PostgreSQL)."""

from __future__ import annotations

import os

from server import database


def test_database_engine_matches_the_test_environment() -> None:
    expected = "postgres" if os.environ.get("COMEBACK_TEST_DATABASE_URL") else "sqlite"
    assert database.DB.engine_type == expected
