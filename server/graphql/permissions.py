"""Authentication and the READ/WRITE scope, enforced once per operation for every root field.

Enforced by the schema rather than per field, so a new query or mutation cannot be added
without it: only the fields in PUBLIC_FIELDS answer without a token. The check runs once
before execution (not as a per-field resolve hook, which would wrap every one of the
thousands of fields a dashboard query resolves).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from server.errors import AuthError, ErrorCode

PUBLIC_FIELDS = frozenset({"signUp", "logIn", "__typename", "__schema", "__type"})


def root_fields(selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode],
                seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """The names of the root fields an operation selects, through fragments at any depth of the root."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from root_fields(fragments[name].selection_set, fragments, seen | {name})


class AuthExtension(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = _operation(document, context.operation_name) if document else None
        if document is not None and operation is not None:
            fragments = {d.name.value: d for d in document.definitions
                         if isinstance(d, FragmentDefinitionNode)}
            private = [name for name in root_fields(operation.selection_set, fragments) if name not in PUBLIC_FIELDS]
            if private:
                if context.context.websocket is not None:  # a WebSocket: every operation checks the token afresh
                    context.context.forget_viewer()
                viewer = await context.context.viewer()
                if viewer is None:
                    raise AuthError(ErrorCode.UNAUTHENTICATED, "sign in, or send a valid Bearer token")
                if operation.operation is OperationType.MUTATION and not viewer.can_write:
                    raise AuthError(ErrorCode.FORBIDDEN, "this token is read-only; use a WRITE token to change data")
        yield


def _operation(document: object, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in getattr(document, "definitions", ()) if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)
