"""On SQLite, a signed-in query runs as one read-only request: one connection and one snapshot for all
its statements (server.database.read_only_request). A separate extension, added only on SQLite:
Strawberry pays for every extension's hooks on every request, and PostgreSQL gains nothing from it."""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from server.database import read_only_request
from server.graphql.context import Context


class ReadSnapshot(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        # Only a signed-in query reads the database (an anonymous one answers from the schema), and
        # the snapshot costs a connection: `{ __typename }` should not open one.
        if (self.execution_context.operation_type is OperationType.QUERY and isinstance(context, Context)
                and await context.viewer() is not None):
            async with read_only_request():
                yield
        else:
            yield
