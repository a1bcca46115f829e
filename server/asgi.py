"""Small ASGI helpers for middlewares that look at a request before the app does."""

from __future__ import annotations

from typing import Any

from litestar.types import Receive, Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case)."""
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def read_body(receive: Receive, cap: int) -> tuple[bytes, list[Any], bool]:
    """The request body (up to `cap` bytes), the messages read, and whether all of it was read."""
    messages: list[Any] = []
    size, chunks = 0, list[bytes]()
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"".join(chunks), messages, True
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > cap:  # checked first: a body may arrive in one message
            return b"", messages, False
        if not message.get("more_body", False):
            return b"".join(chunks), messages, True


def replaying(messages: list[Any], receive: Receive) -> Receive:
    """A `receive` that hands out the already-read messages first, so the app sees the whole body."""
    pending = list(messages)

    async def replay() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
