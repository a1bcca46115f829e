"""Error codes map to GraphQL types in one table, checked against every mutation's union at start-up."""

from __future__ import annotations

from typing import Annotated

import pytest
import strawberry

from server.errors import DomainError, ErrorCode
from server.graphql.errors import ERROR_TYPES, NotFoundError, check_error_unions, typed_errors
from server.graphql.schema import build_schema


@strawberry.type
class Done:
    ok: bool


Result = Annotated[Done | NotFoundError, strawberry.union("Result")]


@strawberry.type
class Query:
    ping: bool = True


def test_the_real_schema_passes_the_check_and_every_code_has_one_type() -> None:
    build_schema()  # raises if any mutation's union disagrees with the table
    assert len(set(ERROR_TYPES.values())) == len(ERROR_TYPES)


def test_a_mutation_answering_with_errors_must_turn_domain_errors_into_them() -> None:
    @strawberry.type
    class Mutation:
        @strawberry.mutation
        async def act(self) -> Result:
            return Done(ok=True)

    with pytest.raises(ValueError, match=r"Mutation.act answers with \['NotFoundError'\] but is not wrapped"):
        check_error_unions(strawberry.Schema(query=Query, mutation=Mutation))


async def test_a_code_the_union_cannot_say_is_an_internal_error_not_a_silent_other_type() -> None:
    @strawberry.type
    class Mutation:
        @strawberry.mutation
        @typed_errors
        async def act(self, missing: bool) -> Result:
            if missing:
                raise DomainError(ErrorCode.NOT_FOUND, "no such thing")
            raise DomainError(ErrorCode.OUT_OF_RANGE, "too late", "day")

    schema = strawberry.Schema(query=Query, mutation=Mutation)
    check_error_unions(schema)
    found = await schema.execute("mutation { act(missing: true) { __typename ... on Error { code field } } }")
    refused = await schema.execute("mutation { act(missing: false) { __typename } }")
    assert found.data == {"act": {"__typename": "NotFoundError", "code": "NOT_FOUND", "field": None}}
    assert refused.errors is not None and refused.errors[0].extensions == {"code": "INTERNAL"}
