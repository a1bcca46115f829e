"""The schema: root types merged from each domain's module, plus the extensions we rely on."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from server.graphql import accounts, habits, journal, loop, portability, program, progress
from server.graphql.errors import FinishErrors
from server.graphql.execution import LeafFastExecutionContext
from server.graphql.limits import MAX_TOKENS, RefuseNulCharacters, ValidationLimits
from server.graphql.permissions import AuthExtension

Query = merge_types("Query", (accounts.AccountQuery, habits.HabitQuery, progress.ProgressQuery,
                              program.ProgramQuery, journal.JournalQuery, portability.PortabilityQuery,
                              loop.LoopQuery))
Mutation = merge_types("Mutation", (accounts.AccountMutation, habits.HabitMutation, journal.JournalMutation,
                                    program.ProgramMutation, portability.PortabilityMutation, loop.LoopMutation))



class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        # The transport finishes errors (codes, masking, one log line for the unexpected);
        # a client's bad query is not our error to log.
        return None


def build_schema(introspection: bool = True) -> Schema:
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ValidationLimits,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        AuthExtension,
        RefuseNulCharacters,
        FinishErrors,
    ]
    if not introspection:
        from strawberry.extensions import DisableIntrospection

        extensions.append(DisableIntrospection)
    return Schema(query=Query, mutation=Mutation, subscription=progress.Subscription, extensions=extensions,
                  execution_context_class=LeafFastExecutionContext,
                  config=StrawberryConfig(auto_camel_case=True, scalar_map=portability.SCALARS))


schema = build_schema()
