"""A real HTTP receiver on loopback for webhook tests: records every request, answers as scripted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    answered: int


@dataclass
class Receiver:
    port: int = 0
    fail_first: int = 0  # the first N requests get HTTP 500, whatever they carry
    failing_status: int = 500
    # While set, the first request is held unanswered until `release` is set (a delivery in flight).
    hold_first: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def delivered(self) -> list[Received]:
        """Requests answered 2xx (a held request counts once answered, even if its sender was gone)."""
        with self.lock:
            return [r for r in self.requests if 200 <= r.answered < 300]

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            status = self.failing_status if len(self.requests) < self.fail_first else 200
            self.requests.append(Received(path, headers, body, status))
            return status


@contextmanager
def receiving(fail_first: int = 0, failing_status: int = 500, hold_first: bool = False) -> Iterator[Receiver]:
    receiver = Receiver(fail_first=fail_first, failing_status=failing_status, hold_first=hold_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status = receiver._answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            if receiver.hold_first and len(receiver.requests) == 1:
                receiver.release.wait(60)
            try:
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender is gone (a killed worker): nobody hears the answer

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
