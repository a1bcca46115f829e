"""The schema: root types merged from each domain's module, plus the extensions we rely on."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from server.graphql import accounts, habits, journal, program, progress
from server.graphql.permissions import AuthExtension

Query = merge_types("Query", (accounts.AccountQuery, habits.HabitQuery, progress.ProgressQuery,
                              program.ProgramQuery, journal.JournalQuery))
Mutation = merge_types("Mutation", (accounts.AccountMutation, habits.HabitMutation, journal.JournalMutation,
                                    program.ProgramMutation))

MAX_DEPTH = 12
MAX_TOKENS = 2000
MAX_ALIASES = 30


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        # The transport finishes errors (codes, masking, one log line for the unexpected);
        # a client's bad query is not our error to log.
        return None


def build_schema(introspection: bool = True) -> Schema:
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        AuthExtension,
    ]
    if not introspection:
        from strawberry.extensions import DisableIntrospection

        extensions.append(DisableIntrospection)
    return Schema(query=Query, mutation=Mutation, subscription=progress.Subscription, extensions=extensions,
                  config=StrawberryConfig(auto_camel_case=True))


schema = build_schema()
