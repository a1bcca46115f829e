"""The door every operation passes, whatever it came through (HTTP POST, GET, a WebSocket message).

In the order a request pays for it:
1. **rate limit** (on_operation): one request per token (a valid one) or per client IP (anonymous
   or an unknown token), before the document is even parsed;
2. **parse** (on_parse): once, cached by query text, with graphql-core's token limit;
3. **cost** (on_validate, before graphql-core's validation): one walk of the operation
   (server/graphql/cost.py) refuses too many fields, repeats, aliases, depth or too large a
   response as QUERY_TOO_COMPLEX naming the limit — so a refusal never pays for validation;
   text holding U+0000 is refused (PostgreSQL cannot store it);
4. **sign-in attempts**: signUp/logIn fields, and passwordChange/accountDelete (which try a password),
   are charged to the client IP, however many a document holds and whichever door it came through;
5. graphql-core's **validation** (cached per document, by ValidationCache whose hook this extends);
6. **authentication and scope**, once the document is valid (a typo gets its validation error,
   signed in or not): every root field but PUBLIC_FIELDS needs a valid token; a mutation needs the
   WRITE scope. A WebSocket looks its token up again for every operation.
Then it executes, and every error of the result is finished (coded, masked) on the way out.
One extension does it all: Strawberry pays for each extension's hooks on every request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import ValidationCache

from server.errors import ErrorCode
from server.graphql.context import Context
from server.graphql.cost import (
    MAX_ALIASES,
    MAX_COST,
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_INTROSPECTION_DEPTH,
    MAX_REPEATS,
    MAX_SPREADS,
    MAX_TOKENS,
    FieldTable,
    OperationFacts,
    SizeRule,
    measure,
    select_operation,
)
from server.graphql.errors import ApiError, finish_errors
from server.graphql.list_sizes import SIZED_BY_HABITS
from server.habits import queries
from server.ratelimit import Decision, RateLimiter

PUBLIC_FIELDS = frozenset({"signUp", "logIn", "__typename", "__schema", "__type"})
# Fields that try a password: each is charged to the client IP's sign-in budget, so a stolen session
# cannot be used to guess the password behind it faster than logIn could.
SIGN_IN_FIELDS = frozenset({"signUp", "logIn", "passwordChange", "accountDelete"})
# Every this many values a response could hold cost one more request of the asker's budget.
COST_PER_UNIT = 1000
_PARSE_CACHE = 256
# A real operation is a few KB; the token limit stops a parse early, but lexing a single huge string
# literal or comment still costs its length, so longer texts are refused before any of it is read.
MAX_QUERY_CHARS = 100_000


def too_complex(message: str, limit: str, maximum: int | None, **extra: Any) -> ApiError:
    extensions: dict[str, Any] = {"limit": limit, **extra}
    if maximum is not None:
        extensions["max"] = maximum
    return ApiError(ErrorCode.QUERY_TOO_COMPLEX, message, **extensions)


# What a refused operation "parses" to: the refusal is reported at validation, and the text a
# rate-limited or oversized request sent is never lexed.
_REFUSED_DOCUMENT = parse("{ __typename }")


@lru_cache(maxsize=_PARSE_CACHE)
def parse_document(query: str) -> DocumentNode:
    """A query text's document, parsed once per distinct text (graphql-core's nodes are immutable)."""
    return parse(query, max_tokens=MAX_TOKENS)


def limit_error(facts: OperationFacts, name: str) -> ApiError | None:
    """The first limit an operation exceeds, as the error the client sees; None within them all."""
    if facts.fields > MAX_FIELDS:
        return too_complex(f"Operation '{name}' selects more than {MAX_FIELDS} fields (limit: maxFields).",
                           "maxFields", MAX_FIELDS)
    if facts.repeats > MAX_REPEATS:
        return too_complex(f"Operation '{name}' selects one field {facts.repeats} times in one place, more than "
                           f"{MAX_REPEATS} (limit: maxRepeats).", "maxRepeats", MAX_REPEATS)
    if facts.spreads > MAX_SPREADS:
        return too_complex(f"Operation '{name}' spreads fragments {facts.spreads} times, more than {MAX_SPREADS} "
                           f"(limit: maxFragmentSpreads).", "maxFragmentSpreads", MAX_SPREADS)
    if facts.depth > MAX_DEPTH:
        return too_complex(f"Operation '{name}' nests fields deeper than {MAX_DEPTH} levels (limit: maxDepth).",
                           "maxDepth", MAX_DEPTH)
    if facts.introspection_depth > MAX_INTROSPECTION_DEPTH:
        return too_complex(f"Operation '{name}' nests introspection deeper than {MAX_INTROSPECTION_DEPTH} levels "
                           f"(limit: introspectionDepth).", "introspectionDepth", MAX_INTROSPECTION_DEPTH)
    if facts.aliases > MAX_ALIASES:
        return too_complex(f"Operation '{name}' uses {facts.aliases} aliases, more than {MAX_ALIASES} "
                           f"(limit: maxAliases).", "maxAliases", MAX_ALIASES)
    if facts.cost > MAX_COST:
        return too_complex(f"Operation '{name}' could return {facts.cost} values, more than {MAX_COST}: ask for "
                           f"fewer days or items at once (limit: maxCost).", "maxCost", MAX_COST, cost=facts.cost)
    return None


def rate_limited(decision: Decision) -> ApiError:
    return ApiError(ErrorCode.RATE_LIMITED, f"Too many requests: try again in {decision.retry_after} s.",
                    retryAfter=decision.retry_after)


def _nul_variable(variables: Mapping[str, Any] | None) -> str | None:
    for name, value in (variables or {}).items():
        stack = [value]
        while stack:  # iterative: decoded JSON is depth-limited, but no walk here needs recursion
            item = stack.pop()
            if isinstance(item, str):
                if "\x00" in item:
                    return name
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _bad_input(message: str, field: str) -> ApiError:
    return ApiError(ErrorCode.BAD_USER_INPUT, message, field=field)


class Refused(Exception):
    """A door check said no; the error is what the client gets."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


class Admission(ValidationCache):
    """The door, and (through ValidationCache, whose public hook it extends) graphql-core's cached
    validation once the door has let a document through.

    Refusals are handed to Strawberry as pre-execution errors, never raised from a hook: a WebSocket
    operation's stream does not catch exceptions raised while it prepares, so an HTTP request and a
    WebSocket message get the same error the same way."""

    def __init__(self, *, limiter: RateLimiter, table: FieldTable, sizes: Mapping[tuple[str, str], SizeRule],
                 hide_suggestions: bool = False) -> None:
        super().__init__(maxsize=256)
        self.limiter = limiter
        self.table = table
        self.sizes = sizes
        self.hide_suggestions = hide_suggestions
        self.refusal: ApiError | None = None

    @property
    def context(self) -> Context:
        context = self.execution_context.context
        assert isinstance(context, Context)
        return context

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.context
        if context.is_websocket:  # a WebSocket outlives tokens: every operation checks it afresh
            context.forget_viewer()
        # Strawberry's own parse (of a document ours could not parse) keeps the token limit too.
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        viewer = await context.viewer() if context.secret() else None
        decision = await self.limiter.request(context.secret() if viewer else None, context.client_ip)
        self._show(decision)
        if decision is not None and not decision.allowed:
            self.refusal = rate_limited(decision)  # reported at validation, before graphql-core's
        elif len(self.execution_context.query or "") > MAX_QUERY_CHARS:
            self.refusal = too_complex(f"The document is longer than {MAX_QUERY_CHARS} characters "
                                       f"(limit: maxQueryLength).", "maxQueryLength", MAX_QUERY_CHARS)
        yield
        finish_errors(self.execution_context.result, self.hide_suggestions)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        finish_errors(result, self.hide_suggestions)
        yield None

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        if self.refusal is not None:
            execution_context.graphql_document = _REFUSED_DOCUMENT
        elif execution_context.graphql_document is None and execution_context.query:
            try:
                execution_context.graphql_document = parse_document(execution_context.query)
            except GraphQLError:
                pass  # Strawberry parses it again and reports the syntax error in its place
        yield

    # SchemaExtension hooks may be async generators; ValidationCache annotates its own as a plain one.
    async def on_validate(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution_context = self.execution_context
        try:
            if self.refusal is not None:
                raise Refused(self.refusal)
            facts = await self._admit()
            validating = super().on_validate()  # graphql-core's validation, cached by document
            next(validating)
            if facts is not None and not execution_context.pre_execution_errors:
                await self._authorize(facts)
        except Refused as refused:
            execution_context.pre_execution_errors = [refused.error]
        yield

    async def _admit(self) -> OperationFacts | None:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        operation = select_operation(document, execution_context.operation_name) if document else None
        if document is None or operation is None:
            return None  # graphql-core's validation names the problem
        name = operation.name.value if operation.name else "anonymous"
        facts = measure(document, operation, self.table, self.sizes, execution_context.variables)
        error = limit_error(facts, name)
        if error is not None and (error.extensions or {}).get("limit") == "maxCost" and SIZED_BY_HABITS & facts.selects:
            # Sized for the most habits anyone may have; the asker's real number may fit.
            viewer = await self.context.viewer()
            if viewer is not None:
                bounds = {"habits": await queries.habit_count(viewer)}
                facts = measure(document, operation, self.table, self.sizes, execution_context.variables, bounds)
                error = limit_error(facts, name)
        if error is not None:
            raise Refused(error)
        if facts.nul_argument is not None:
            raise Refused(_bad_input(f"{facts.nul_argument} holds a NUL (\\u0000) character, which text may not "
                                     f"contain", facts.nul_argument))
        variable = _nul_variable(execution_context.variables)
        if variable is not None:
            raise Refused(_bad_input(f"${variable} holds a NUL (\\u0000) character, which text may not contain",
                                     variable))
        await self._charge(facts)
        return facts

    async def _authorize(self, facts: OperationFacts) -> None:
        if any(name not in PUBLIC_FIELDS for name in facts.root_fields):
            viewer = await self.context.viewer()
            if viewer is None:
                raise Refused(ApiError(ErrorCode.UNAUTHENTICATED, "sign in, or send a valid Bearer token"))
            if facts.is_mutation and not viewer.can_write:
                raise Refused(ApiError(ErrorCode.FORBIDDEN,
                                       "this token is read-only; use a WRITE token to change data"))

    async def _charge(self, facts: OperationFacts) -> None:
        """What the operation costs beyond the request itself: sign-in attempts to the client IP, and
        large responses to the asker's budget (COST_PER_UNIT values count as one more request)."""
        context = self.context
        attempts = sum(name in SIGN_IN_FIELDS for name in facts.root_fields) if facts.is_mutation else 0
        if attempts:
            decision = await self.limiter.sign_in_attempts(context.client_ip, attempts)
            self._show(decision)
            if decision is not None and not decision.allowed:
                raise Refused(rate_limited(decision))
        extra = facts.cost // COST_PER_UNIT
        if extra:
            viewer = await context.viewer() if context.secret() else None
            decision = await self.limiter.request(context.secret() if viewer else None, context.client_ip, extra)
            self._show(decision)
            if decision is not None and not decision.allowed:
                raise Refused(rate_limited(decision))

    def _show(self, decision: Decision | None) -> None:
        """Tell an HTTP client the tightest limit it is under (a refusal first)."""
        if decision is None:
            return
        headers = self.context.response_headers
        shown = headers.get("X-RateLimit-Remaining")
        if not decision.allowed or shown is None or decision.remaining < int(shown):
            headers.update(decision.headers())
        if not decision.allowed:
            headers["Retry-After"] = str(decision.retry_after)

