"""GET /export/check-ins.csv: your live check-ins as CSV, streamed (Bearer token, READ scope)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.response import Stream

from server.accounts import service as accounts
from server.accounts.model import Scope
from server.errors import ErrorCode
from server.graphql.context import bearer, client_ip
from server.portability.export import check_ins_csv
from server.ratelimit import RateLimiter


def _error(status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None,
           **extensions: Any) -> Response[Any]:
    return Response({"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]},
                    status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", **(headers or {})})


@get("/export/check-ins.csv", name="export-check-ins-csv")
async def export_check_ins_csv(request: Request[Any, Any, Any]) -> Response[Any] | Stream:
    """Columns: habit_id, habit_name, day, occurred_at, quantity, note, source; oldest first."""
    secret = bearer(request.headers.get("authorization"))
    viewer = await accounts.authenticate(secret) if secret else None
    limiter: RateLimiter = request.app.state.limiter
    # The same door as /graphql: a request per valid token, or per client IP.
    decision = await limiter.request(secret if viewer else None, client_ip(request.scope))
    limits = decision.headers() if decision else {}
    if decision is not None and not decision.allowed:
        return _error(429, ErrorCode.RATE_LIMITED, f"Too many requests: try again in {decision.retry_after} s.",
                      {**limits, "Retry-After": str(decision.retry_after)}, retryAfter=decision.retry_after)
    if viewer is None:
        return _error(401, ErrorCode.UNAUTHENTICATED, "send a valid Bearer token",
                      {**limits, "WWW-Authenticate": "Bearer"})
    if Scope.READ not in viewer.scopes:
        return _error(403, ErrorCode.FORBIDDEN, "this token cannot read", limits)
    return Stream(check_ins_csv(viewer), media_type="text/csv",
                  headers={"Content-Disposition": 'attachment; filename="comeback-check-ins.csv"',
                           "Cache-Control": "no-store", **limits})
