"""Free TCP ports for the servers tests start, never shared between parallel workers.

Each xdist worker draws from its own slice of 1000 ports below Linux's ephemeral range
(32768+), so two workers of one run can never be handed the same port, and the kernel never
hands one of them out to an outgoing connection. Within the slice a port is drawn at random and
kept only if it can be bound right now (another program, or another checkout's suite, may hold it).
"""

from __future__ import annotations

import os
import random
import socket

FIRST = 20_000
SLICE = 1_000
SLICES = 12  # 20000-31999; a 13th worker shares gw0's slice (still checked by binding)

_handed_out: set[int] = set()


def _slice_start() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return FIRST + SLICE * (int(worker.removeprefix("gw")) % SLICES)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, not handed out before by this process."""
    start = _slice_start()
    for port in random.sample(range(start, start + SLICE), SLICE):
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {start}-{start + SLICE - 1}")
