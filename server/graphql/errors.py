"""Typed error results (the `Error` interface) and top-level error handling."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Any, ParamSpec, TypeVar

import strawberry
from graphql import GraphQLError

from server import database
from server.errors import AuthError, DomainError, ErrorCode
from server.graphql.cost import MAX_TOKENS

log = logging.getLogger("server.graphql")

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode",
                                description="Stable machine-readable error codes. In typed errors: NOT_FOUND (missing "
                                            "or not yours), INVALID_INPUT (a value not acceptable), EMAIL_TAKEN, "
                                            "INVALID_CREDENTIALS (wrong e-mail or password), DUPLICATE (an "
                                            "idempotency key used for other content), OUT_OF_RANGE (a day or amount "
                                            "outside what is allowed), STEP_LOCKED (a program step not open yet). In "
                                            "top-level errors' extensions.code: UNAUTHENTICATED (no or a bad token), "
                                            "FORBIDDEN (a READ token writing), BAD_USER_INPUT (a malformed request "
                                            "or argument), RATE_LIMITED (wait Retry-After), QUERY_TOO_COMPLEX (over "
                                            "the cost budget), UNAVAILABLE (a dependency is down: retry later), "
                                            "INTERNAL (our fault, logged).")


@strawberry.interface(description="An expected failure of a mutation, returned as a member of its result union. "
                                  "Branch on `code`, show `message`.")
class Error:
    code: ErrorCode = strawberry.field(description="What went wrong, stable for programs to branch on.")
    message: str = strawberry.field(description="What went wrong, for people; wording may change.")
    field: str | None = strawberry.field(default=None, description="The input field at fault, when one is.")


@strawberry.type(description="The object does not exist or is not yours.")
class NotFoundError(Error):
    pass


@strawberry.type(description="An input value is not acceptable; `field` names it.")
class InvalidInputError(Error):
    pass


@strawberry.type(description="A date, time or amount outside what is allowed (before a habit's start, in the "
                             "future, past a cap).")
class OutOfRangeError(Error):
    pass


@strawberry.type(description="The idempotency key was already used for different content.")
class DuplicateError(Error):
    pass


@strawberry.type(description="An account with this e-mail already exists.")
class EmailTakenError(Error):
    pass


@strawberry.type(description="Wrong e-mail or password.")
class InvalidCredentialsError(Error):
    pass


@strawberry.type(description="A step is still locked: do the work of the step before it first.")
class StepLockedError(Error):
    pass


# The one table from a domain error's code to its GraphQL type. build_schema checks it against every
# mutation's result union (check_error_unions); the codes missing here are top-level only.
ERROR_TYPES: Mapping[ErrorCode, type[Error]] = MappingProxyType({
    ErrorCode.NOT_FOUND: NotFoundError,
    ErrorCode.INVALID_INPUT: InvalidInputError,
    ErrorCode.OUT_OF_RANGE: OutOfRangeError,
    ErrorCode.DUPLICATE: DuplicateError,
    ErrorCode.EMAIL_TAKEN: EmailTakenError,
    ErrorCode.INVALID_CREDENTIALS: InvalidCredentialsError,
    ErrorCode.STEP_LOCKED: StepLockedError,
})

P = ParamSpec("P")
R = TypeVar("R")


class TypedErrors:
    """A mutation resolver whose DomainErrors become members of its result union (see typed_errors)."""

    def __init__(self, fn: Callable[..., Awaitable[Any]]) -> None:
        self.fn = fn
        # The Error types of the mutation's union: set by check_error_unions when the schema is built.
        self.members: frozenset[type[Error]] | None = None
        functools.update_wrapper(self, fn)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self.fn(*args, **kwargs)
        except DomainError as error:
            cls = ERROR_TYPES.get(error.code)
            if cls is None or self.members is None or cls not in self.members:
                # A service raised what this mutation's union cannot say: our bug, not the client's.
                log.error("%s raised %s, which its result union has no member for", self.fn.__name__, error.code)
                raise ApiError(ErrorCode.INTERNAL, "Internal server error.") from error
            return cls(code=error.code, message=error.message, field=error.field)


def typed_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Turn a DomainError raised by a mutation's service call into its typed result member."""
    wrapper: Callable[P, Awaitable[R]] = TypedErrors(fn)
    return wrapper


def check_error_unions(schema: Any) -> None:
    """Every Error type a mutation's union names is the table's type for its code (or an error the
    resolver builds itself, like ImportRejectedError), and every mutation that can answer with one
    turns DomainErrors into them. Raises at start-up otherwise."""
    from strawberry.types.union import StrawberryUnion

    mutation = schema.get_type_by_name("Mutation")
    table = set(ERROR_TYPES.values())
    for field in mutation.fields if mutation is not None else ():
        union = field.type
        if not isinstance(union, StrawberryUnion):
            continue
        members = frozenset(t for t in union.types if isinstance(t, type) and issubclass(t, Error))
        resolver = field.base_resolver.wrapped_func if field.base_resolver else None
        if not members:
            continue
        if not isinstance(resolver, TypedErrors):
            raise ValueError(f"Mutation.{field.name} answers with {sorted(m.__name__ for m in members)} "
                             "but is not wrapped in @typed_errors")
        unknown = [m.__name__ for m in members if m not in table and not getattr(m, "built_by_resolver", False)]
        if unknown:
            raise ValueError(f"Mutation.{field.name}: {unknown} are not in ERROR_TYPES")
        resolver.members = members


class ApiError(GraphQLError):
    """A top-level error with a stable `extensions.code`."""

    def __init__(self, code: ErrorCode, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})


_INTROSPECTION_MESSAGE = "Maximum introspection depth exceeded"  # graphql-core's MaxIntrospectionDepthRule
_TOKENS_MESSAGE = "Document contains more than"  # graphql-core's parser, when max_tokens is reached
# graphql-core's "Did you mean ...?" hints name fields, types and enum values of the schema.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _as_too_complex(error: GraphQLError) -> GraphQLError | None:
    """graphql-core's own limit errors (the parser's token limit, introspection depth), recoded; else None."""
    if _TOKENS_MESSAGE in error.message:
        return GraphQLError(f"The query has more than {MAX_TOKENS} tokens (limit: maxTokens).", error.nodes,
                            error.source, error.positions,
                            extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": "maxTokens",
                                        "max": MAX_TOKENS})
    if error.message.startswith(_INTROSPECTION_MESSAGE):
        return GraphQLError("The introspection query nests fields/interfaces/possibleTypes/inputFields too "
                            "deeply (limit: introspectionDepth).", error.nodes, error.source, error.positions,
                            extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": "introspectionDepth"})
    return None


def is_expected(error: GraphQLError) -> bool:
    """Parse/validation errors and our own coded errors are shown; anything else is masked.

    An error graphql-core raises during execution (it has a path but no original error: a null in
    a non-null field, a value a scalar cannot serialize) is our bug, not the client's.
    """
    original = error.original_error
    if original is None:
        return error.path is None
    return isinstance(original, (ApiError, AuthError, DomainError)) or (
        isinstance(original, GraphQLError) and original.original_error is None
    )


def finish_error(error: GraphQLError, hide_suggestions: bool = False) -> GraphQLError:
    """Give every error a code; mask and log the unexpected ones (once); in production, keep the
    schema's names out of validation messages."""
    finished = _finish(error)
    if hide_suggestions and _SUGGESTION.search(finished.message):
        finished = GraphQLError(_SUGGESTION.sub("", finished.message), finished.nodes, finished.source,
                                finished.positions, finished.path, extensions=finished.extensions)
    return finished


def _finish(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, ApiError):
        return GraphQLError(original.message, error.nodes, error.source, error.positions, error.path,
                            extensions=original.extensions)
    if original is None and (error.extensions or {}).get("code"):
        return error  # already finished (WebSocket results pass the schema extension, HTTP the view too)
    if isinstance(original, AuthError):
        return GraphQLError(str(original), error.nodes, error.source, error.positions, error.path,
                            extensions={"code": original.code.value})
    if isinstance(original, DomainError):  # a domain error outside a typed result: bad input
        return GraphQLError(original.message, error.nodes, error.source, error.positions, error.path,
                            extensions={"code": ErrorCode.BAD_USER_INPUT.value,
                                        **({"field": original.field} if original.field else {})})
    if original is not None and database.is_unavailable(original):
        log.warning("database unavailable in %s: %r", error.path, original)
        return GraphQLError("The service is briefly unavailable; try again in a few seconds.", error.nodes,
                            error.source, error.positions, error.path,
                            extensions={"code": ErrorCode.UNAVAILABLE.value})
    if not is_expected(error):
        log.error("unexpected error in %s: %s", error.path, error.message, exc_info=original)
        return GraphQLError("Internal server error.", error.nodes, error.source, error.positions, error.path,
                            extensions={"code": ErrorCode.INTERNAL.value})
    if not (error.extensions or {}).get("code"):
        limited = _as_too_complex(error)
        if limited is not None:
            return limited
        # graphql-core's parse, validation and variable-coercion errors carry no code.
        error.extensions = {**(error.extensions or {}), "code": ErrorCode.BAD_USER_INPUT.value}
    return error


def finish_errors(result: Any, hide_suggestions: bool = False) -> None:
    """finish_error on every error of a result the schema produced (WebSocket messages get codes and
    masking like HTTP responses; the HTTP view finishes errors raised outside the schema too)."""
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [finish_error(e, hide_suggestions) for e in errors]
