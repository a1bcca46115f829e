"""Query cost limits: depth (introspection included), aliases and tokens, refused as QUERY_TOO_COMPLEX.

Strawberry's QueryDepthLimiter skips `__schema`/`__type`, so the depth rule here counts every
field; introspection roots get a limit of their own that fits the standard introspection query
(depth 13), while graphql-core's MaxIntrospectionDepthRule also stops `fields { type { fields ...`
cycles. Every refusal carries `extensions.code = QUERY_TOO_COMPLEX` and names the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)
from strawberry.extensions import AddValidationRules

from server.errors import ErrorCode

MAX_DEPTH = 12
MAX_INTROSPECTION_DEPTH = 16
MAX_ALIASES = 30
MAX_TOKENS = 2000

_TOKENS_MESSAGE = "Document contains more than"  # graphql-core's parser, when max_tokens is reached
_INTROSPECTION_MESSAGE = "Maximum introspection depth exceeded"  # graphql-core's MaxIntrospectionDepthRule


def too_complex(message: str, limit: str, maximum: int | None, nodes: Any = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": limit}
    if maximum is not None:
        extensions["max"] = maximum
    return GraphQLError(message, nodes, extensions=extensions)


def as_too_complex(error: GraphQLError) -> GraphQLError | None:
    """graphql-core's own limit errors (token count, introspection depth), recoded; else None."""
    if _TOKENS_MESSAGE in error.message:
        return GraphQLError(f"The query has more than {MAX_TOKENS} tokens (limit: maxTokens).",
                            error.nodes, error.source, error.positions,
                            extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": "maxTokens",
                                        "max": MAX_TOKENS})
    if error.message.startswith(_INTROSPECTION_MESSAGE):
        return GraphQLError("The introspection query nests fields/interfaces/possibleTypes/inputFields too "
                            "deeply (limit: introspectionDepth).", error.nodes, error.source, error.positions,
                            extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": "introspectionDepth"})
    return None


class _Walker:
    """Depth and alias counts over a document, fragments expanded once each (memoised, cycle-safe)."""

    def __init__(self, context: ValidationContext) -> None:
        self.fragments = {d.name.value: d for d in context.document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self._depth: dict[str, int] = {}
        self._aliases: dict[str, int] = {}
        self._active: set[str] = set()

    def fields(self, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
        """The fields of a selection set, with fragments spread in (cycles are another rule's error)."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in self._active:
                    self._active.add(fragment.name.value)
                    try:
                        yield from self.fields(fragment.selection_set)
                    finally:
                        self._active.discard(fragment.name.value)

    def depth(self, field: FieldNode) -> int:
        """Levels of object fields: `{ me { id } }` has depth 1."""
        if field.selection_set is None:
            return 0
        return 1 + max((self.depth(child) for child in self.fields(field.selection_set)), default=0)

    def aliases(self, selection_set: SelectionSetNode | None) -> int:
        """Aliased fields, counting a fragment once per place it is spread."""
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += (selection.alias is not None) + self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in self._aliases and name not in self._active and name in self.fragments:
                    self._active.add(name)
                    try:
                        self._aliases[name] = self.aliases(self.fragments[name].selection_set)
                    finally:
                        self._active.discard(name)
                total += self._aliases.get(name, 0)
        return total


class QueryLimitsRule(ASTValidationRule):
    """Refuse operations nested deeper than MAX_DEPTH (introspection: MAX_INTROSPECTION_DEPTH) or with
    more than MAX_ALIASES aliases."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        walker = _Walker(self.context)
        name = node.name.value if node.name else "anonymous"
        for root in walker.fields(node.selection_set):
            introspection = root.name.value.startswith("__")
            limit = MAX_INTROSPECTION_DEPTH if introspection else MAX_DEPTH
            if walker.depth(root) > limit:
                what = "introspectionDepth" if introspection else "maxDepth"
                self.report_error(too_complex(
                    f"Operation '{name}' nests '{root.name.value}' deeper than {limit} levels (limit: {what}).",
                    what, limit, [root]))
                return
        aliases = walker.aliases(node.selection_set)
        if aliases > MAX_ALIASES:
            self.report_error(too_complex(
                f"Operation '{name}' uses {aliases} aliases, more than {MAX_ALIASES} (limit: maxAliases).",
                "maxAliases", MAX_ALIASES, [node]))


class ValidationLimits(AddValidationRules):
    """The depth and alias limits as a schema extension (the token limit is MaxTokensLimiter's)."""

    def __init__(self) -> None:
        super().__init__([QueryLimitsRule])
