"""The background engine: what happens to a user's derived state after a change commits.

- `after_commit` — the hook domain services call once a change is committed (no arq, no Redis);
- `broker` — Redis for jobs and live events (REDIS_URL, or an embedded real Redis);
- `queue` — enqueueing recompute jobs on arq, coalesced per user;
- `jobs` — the job entry points (recompute, sweep, roll-over), thin over `server.progress.service`;
- `worker` — the arq worker (embedded in `comeback serve`, or `comeback worker`), surviving Redis restarts;
- `live` — live events over Redis pub/sub;
- `lifecycle` — start and stop all of the above with the app or the worker process.

Nothing is imported here, so that importing one module of the package stays light.
"""
