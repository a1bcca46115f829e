"""Logging that never carries a secret, whatever the level.

- aiosqlite logs every statement with its parameters at DEBUG (password hashes, token digests):
  it is held at INFO.
- uvicorn's access log prints the full URL; a GraphQL query string can hold a password (a
  `logIn` sent over GET is refused, but the line is written first): the query string is dropped.
Passwords and token secrets are never logged by our code; tests/integration/test_account_hardening.py
runs a real server at DEBUG and searches its whole output for them.
"""

from __future__ import annotations

import logging


class DropQueryStrings(logging.Filter):
    """uvicorn.access records carry (client, method, path with query, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?[query omitted]", *args[3:])
        return True


def protect_secrets() -> None:
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryStrings) for f in access.filters):
        access.addFilter(DropQueryStrings())
