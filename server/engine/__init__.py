"""The background engine: what happens to a user's derived state after a change commits.

- `unit_of_work` — one write transaction per use case; marks users stale and runs work after the
  commit (the module domain services import; it imports neither arq nor Redis);
- `broker` — Redis for jobs and live events (REDIS_URL, or an embedded real Redis);
- `queue` — enqueueing recompute jobs on arq, coalesced per user (and why no change is missed);
- `jobs` — the job entry points (recompute, sweep, roll-over), thin over `server.progress.service`;
- `worker` — the arq worker (embedded in `comeback serve`, or `comeback worker`), surviving Redis restarts;
- `events` — the live events, one definition for their producers and their consumer;
- `live` — live events over Redis pub/sub, one connection per process;
- `lifecycle` — start and stop all of the above with the app or the worker process.

Nothing is imported here, so that importing one module of the package stays light.
"""
