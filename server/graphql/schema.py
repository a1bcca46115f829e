"""The schema: root types merged from each domain's module, plus the extensions we rely on."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from server import database
from server.graphql import accounts, habits, journal, loop, pauses, portability, program, progress, reminders, webhooks
from server.graphql.admission import Admission
from server.graphql.cost import FieldTable
from server.graphql.errors import check_error_unions
from server.graphql.list_sizes import LIST_SIZES
from server.graphql.read_snapshot import ReadSnapshot
from server.graphql.scalars import SCALARS
from server.ratelimit import RateLimiter


# Each domain's root fields, merged by inheritance (what strawberry.tools.merge_types does, plus a description).
@strawberry.type(description="Everything you can read; all of it yours only (UNAUTHENTICATED without a token).")
class Query(accounts.AccountQuery, habits.HabitQuery, pauses.PauseQuery, progress.ProgressQuery, program.ProgramQuery,
            journal.JournalQuery, portability.PortabilityQuery, loop.LoopQuery, reminders.ReminderQuery,
            webhooks.WebhookQuery):
    pass


@strawberry.type(description="Everything you can change; expected failures are typed members of each result "
                             "union (implementing Error).")
class Mutation(accounts.AccountMutation, habits.HabitMutation, pauses.PauseMutation, journal.JournalMutation,
               program.ProgramMutation, portability.PortabilityMutation, loop.LoopMutation,
               reminders.ReminderMutation, webhooks.WebhookMutation):
    pass


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        # The transport finishes errors (codes, masking, one log line for the unexpected);
        # a client's bad query is not our error to log.
        return None


def build_schema(*, introspection: bool = True, limiter: RateLimiter | None = None,
                 hide_suggestions: bool = False) -> Schema:
    """The schema with its door (admission: rate limits, cost, authentication), cached validation and
    error finishing. Without a limiter nothing is rate-limited (the printed schema, tests of the math)."""
    door = limiter or RateLimiter(0, 0, 0)
    tables: list[FieldTable] = []
    extensions: list[Any] = [
        # The door, graphql-core's cached validation and error finishing (see server/graphql/admission.py).
        lambda: Admission(limiter=door, table=tables[0], sizes=LIST_SIZES, hide_suggestions=hide_suggestions),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    if database.is_sqlite():
        extensions.append(ReadSnapshot)
    schema = Schema(query=Query, mutation=Mutation, subscription=progress.Subscription, extensions=extensions,
                    config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS))
    tables.append(FieldTable.from_sdl(schema.as_str()))
    check_error_unions(schema)
    return schema


schema = build_schema()
