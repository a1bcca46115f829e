"""A small synchronous GraphQL client (httpx), and the exit codes scripts can branch on."""

from __future__ import annotations

import time
from enum import IntEnum
from typing import Any, BinaryIO

import httpx

USER_AGENT = "comeback-cli/1"


class ExitCode(IntEnum):
    OK = 0
    USAGE = 1  # bad options or arguments, unreadable files
    INVALID = 2  # not found or invalid input: a typed error (NOT_FOUND, INVALID_INPUT, DUPLICATE, ...)
    AUTH = 3  # UNAUTHENTICATED or FORBIDDEN: log in again, or use a WRITE token
    UNAVAILABLE = 4  # the server cannot be reached or failed (5xx, INTERNAL)
    RATE_LIMITED = 5  # too many requests: wait Retry-After seconds


_TOP_LEVEL = {"UNAUTHENTICATED": ExitCode.AUTH, "FORBIDDEN": ExitCode.AUTH, "RATE_LIMITED": ExitCode.RATE_LIMITED,
              "INTERNAL": ExitCode.UNAVAILABLE}


# The client's own codes (besides the API's) where a failure has no API code, so `--json` always gives one.
_DEFAULT_CODES = {ExitCode.USAGE: "USAGE", ExitCode.INVALID: "INVALID_INPUT", ExitCode.AUTH: "UNAUTHENTICATED",
                  ExitCode.UNAVAILABLE: "UNAVAILABLE", ExitCode.RATE_LIMITED: "RATE_LIMITED"}


class ClientError(Exception):
    def __init__(self, message: str, exit_code: ExitCode, code: str | None = None,
                 details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.code = code or _DEFAULT_CODES.get(exit_code, "ERROR")
        self.details = details


class Api:
    """GraphQL over HTTP with a Bearer token; transient failures are retried when that is safe."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0, retries: int = 2,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self.retries = retries
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def graphql(self, query: str, variables: dict[str, Any] | None = None, retry: bool = True) -> dict[str, Any]:
        """The `data` of a response without top-level errors.

        `retry` says the operation is safe to repeat (a query, or a mutation with an idempotency
        key); a request that never reached the server is retried in any case.
        """
        payload = {"query": query, "variables": variables or {}}
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.http.post("/graphql", json=payload)
            except httpx.ConnectError as error:
                if last:
                    raise ClientError(f"cannot reach {self.url}: {error}", ExitCode.UNAVAILABLE,
                                      "UNREACHABLE") from None
            except httpx.TransportError as error:
                if last or not retry:
                    raise ClientError(f"{self.url} did not answer: {error}", ExitCode.UNAVAILABLE,
                                      "UNREACHABLE") from None
            else:
                if response.status_code >= 500 and retry and not last:
                    pass
                else:
                    return self._data(response)
            time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _data(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 413:
            raise ClientError(f"the request ({len(response.request.content) // 1024} KB) is larger than {self.url} "
                              "accepts (its COMEBACK_MAX_BODY_BYTES)", ExitCode.INVALID, "PAYLOAD_TOO_LARGE")
        if response.status_code == 429:
            wait = response.headers.get("retry-after", "a few")
            raise ClientError(f"rate limited: try again in {wait} s", ExitCode.RATE_LIMITED, "RATE_LIMITED")
        try:
            document = response.json()
        except ValueError:
            if response.status_code >= 500:
                raise ClientError(f"server error {response.status_code}", ExitCode.UNAVAILABLE,
                                  "SERVER_ERROR") from None
            raise ClientError(f"unexpected answer from {self.url} (HTTP {response.status_code}): is this a "
                              "Comeback server? (give its address without /graphql)", ExitCode.UNAVAILABLE,
                              "NOT_COMEBACK") from None
        errors = document.get("errors") if isinstance(document, dict) else None
        if errors:
            code = (errors[0].get("extensions") or {}).get("code")
            fallback = ExitCode.UNAVAILABLE if response.status_code >= 500 else ExitCode.INVALID
            exit_code = _TOP_LEVEL.get(str(code), fallback)
            raise ClientError(errors[0].get("message", "request failed"), exit_code, code, errors)
        if response.status_code >= 500 or not isinstance(document, dict) or "data" not in document:
            raise ClientError(f"server error {response.status_code}", ExitCode.UNAVAILABLE, "SERVER_ERROR")
        data: dict[str, Any] = document["data"]
        return data

    def download(self, path: str, out: BinaryIO) -> int:
        """Stream a GET to `out`; returns the bytes written."""
        written = 0
        try:
            with self.http.stream("GET", path) as response:
                if response.status_code != 200:
                    response.read()
                    self._data(response)
                    raise ClientError(f"HTTP {response.status_code}", ExitCode.UNAVAILABLE, "SERVER_ERROR")
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    written += len(chunk)
        except httpx.TransportError as error:
            raise ClientError(f"cannot reach {self.url}: {error}", ExitCode.UNAVAILABLE, "UNREACHABLE") from None
        return written


def result(data: dict[str, Any], field: str) -> dict[str, Any]:
    """A mutation's union result; a typed error member (code + message) becomes exit code 2."""
    value: dict[str, Any] = data[field]
    if isinstance(value, dict) and "code" in value and "message" in value and "Error" in value.get("__typename", ""):
        raise ClientError(value["message"], ExitCode.INVALID, value["code"], value)
    return value
