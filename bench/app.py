"""The app under benchmark, plus hand-written baseline routes served by the same process.

    uvicorn bench.app:app      (bench/http.py starts it; never used in production)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from litestar import MediaType, Request, Response, get, post

from server import clock
from server.accounts import service as accounts
from server.app import create_app
from server.habits import repository
from server.habits.days import local_day
from server.habits.summary import habit_days, summarize
from server.habits.tables import CheckIn


@get("/bench/bare", media_type=MediaType.JSON, sync_to_thread=False)
def bare() -> dict[str, Any]:
    """Baseline 1: what `{ __typename }` answers, with no GraphQL in between."""
    return {"data": {"__typename": "Query"}}


async def _viewer(request: Request[Any, Any, Any]) -> Any:
    header = request.headers.get("authorization", "")
    return await accounts.authenticate(header.removeprefix("Bearer ").strip())


@post("/bench/check-in", media_type=MediaType.JSON)
async def check_in(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Baseline 2: authenticate the same token and insert the same row with raw SQL."""
    viewer = await _viewer(request)
    if viewer is None:
        return Response({"error": "unauthenticated"}, status_code=401)
    body = await request.json()
    now = clock.now()
    account = viewer.account
    day = local_day(now, account.zone, account.day_start_hour)
    cid = uuid4()
    await CheckIn.raw(
        "INSERT INTO check_in (id, owner, habit, occurred_at, day, quantity, note, source, idempotency_key, "
        "created_at, undone_at) VALUES ({}, {}, {}, {}, {}, {}, NULL, 'API', NULL, {}, NULL)",
        cid, account.id, body["habitId"], now, day, 1.0, now)
    return Response({"data": {"habitCheckIn": {"id": str(cid), "day": day.isoformat(), "quantity": 1.0}}})


@get("/bench/dashboard", media_type=MediaType.JSON)
async def dashboard(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Baseline 3: the dashboard's JSON from the same rules, hand-written (no GraphQL)."""
    viewer = await _viewer(request)
    if viewer is None:
        return Response({"error": "unauthenticated"}, status_code=401)
    today = viewer.account.today(clock.now())
    start = today - timedelta(days=29)
    habits = await repository.list_habits(viewer.account.id, include_archived=False)
    logs = await repository.logs_for([h.id for h in habits])
    out = []
    for h in habits:
        s = summarize(h.rules, logs[h.id], today)
        out.append({
            "id": str(h.id), "name": h.name, "currentStreak": s.current_streak, "longestStreak": s.longest_streak,
            "strength": round(s.strength, 4), "doneToday": s.done_today,
            "days": [{"date": d.date.isoformat(), "status": d.status.value, "quantity": d.quantity}
                     for d in habit_days(h.rules, logs[h.id], today, start, today)],
        })
    return Response({"data": {"habits": out}})


app = create_app()
app.register(bare)
app.register(check_in)
app.register(dashboard)
