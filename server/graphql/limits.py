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
    SKIP,
    ArgumentNode,
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    Visitor,
    visit,
)
from graphql.validation import ASTValidationContext
from strawberry.extensions import AddValidationRules, SchemaExtension

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


_CAP = MAX_INTROSPECTION_DEPTH + 1  # depths beyond this are all "too deep": stop counting there


class _Walker:
    """Depth and alias counts over one document; each fragment is measured once (memoised), so
    fragments spread many times cost nothing extra, and a spread cycle (another rule's error) ends."""

    def __init__(self, context: ASTValidationContext) -> None:
        self.fragments = {d.name.value: d for d in context.document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self._depth: dict[str, int] = {}
        self._aliases: dict[str, int] = {}
        self._active: set[str] = set()

    def roots(self, selection_set: SelectionSetNode) -> Iterator[FieldNode]:
        """The operation's root fields, through fragments."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.roots(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in self.fragments and name not in self._active:
                    self._active.add(name)
                    try:
                        yield from self.roots(self.fragments[name].selection_set)
                    finally:
                        self._active.discard(name)

    def depth(self, selection_set: SelectionSetNode | None, so_far: int = 0) -> int:
        """Levels of object fields below a selection set (`me { id }` is 1 level), capped at _CAP."""
        if selection_set is None or so_far >= _CAP:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is not None:
                    deepest = max(deepest, 1 + self.depth(selection.selection_set, so_far + 1))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set, so_far))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(selection.name.value, self._depth, self.depth))
        return min(deepest, _CAP)

    def aliases(self, selection_set: SelectionSetNode | None) -> int:
        """Aliased fields, counting a fragment once for each place it is spread."""
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += (selection.alias is not None) + self.aliases(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += self.aliases(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, self._aliases, self.aliases)
        return total

    def _fragment(self, name: str, memo: dict[str, int], measure: Any) -> int:
        if name not in memo:
            if name in self._active or name not in self.fragments:
                return 0
            self._active.add(name)
            try:
                memo[name] = measure(self.fragments[name].selection_set)
            finally:
                self._active.discard(name)
        return memo[name]


class QueryLimitsRule(ASTValidationRule):
    """Refuse operations nested deeper than MAX_DEPTH (introspection: MAX_INTROSPECTION_DEPTH) or with
    more than MAX_ALIASES aliases."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        name = node.name.value if node.name else "anonymous"
        try:
            error = self._check(_Walker(self.context), node, name)
        except RecursionError:  # fragments chained hundreds deep: refuse rather than fail
            error = too_complex(f"Operation '{name}' chains fragments or fields too deeply (limit: maxDepth).",
                                "maxDepth", MAX_DEPTH, [node])
        if error is not None:
            self.report_error(error)

    @staticmethod
    def _check(walker: _Walker, node: OperationDefinitionNode, name: str) -> GraphQLError | None:
        for root in walker.roots(node.selection_set):
            introspection = root.name.value.startswith("__")
            limit = MAX_INTROSPECTION_DEPTH if introspection else MAX_DEPTH
            depth = 1 + walker.depth(root.selection_set, 1) if root.selection_set else 0
            if depth > limit:
                what = "introspectionDepth" if introspection else "maxDepth"
                return too_complex(f"Operation '{name}' nests '{root.name.value}' deeper than {limit} levels "
                                   f"(limit: {what}).", what, limit, [root])
        aliases = walker.aliases(node.selection_set)
        if aliases > MAX_ALIASES:
            return too_complex(f"Operation '{name}' uses {aliases} aliases, more than {MAX_ALIASES} "
                               f"(limit: maxAliases).", "maxAliases", MAX_ALIASES, [node])
        return None


class ValidationLimits(AddValidationRules):
    """The depth and alias limits as a schema extension (the token limit is MaxTokensLimiter's)."""

    def __init__(self) -> None:
        super().__init__([QueryLimitsRule])


def _nul_in(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_nul_in(v) for v in value)
    return False


class _NulArguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: str | None = None

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> Any:
        if self.found is None and _nul_in([s.value for s in _strings(node.value)]):
            self.found = node.name.value
        return SKIP


def _strings(node: ValueNode) -> Iterator[StringValueNode]:
    if isinstance(node, StringValueNode):
        yield node
    elif isinstance(node, ListValueNode):
        for value in node.values:
            yield from _strings(value)
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _strings(field.value)


def _bad_input(message: str, field: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": field})


_NUL_ARGUMENTS: dict[str, str | None] = {}  # query text -> the first argument holding a NUL (or None)


def _nul_argument(query: str | None, document: DocumentNode) -> str | None:
    # A document's literals never change, so each query text is walked once (a bounded memo).
    if query is not None and query in _NUL_ARGUMENTS:
        return _NUL_ARGUMENTS[query]
    finder = _NulArguments()
    visit(document, finder)
    if query is not None:
        if len(_NUL_ARGUMENTS) >= 512:
            _NUL_ARGUMENTS.clear()
        _NUL_ARGUMENTS[query] = finder.found
    return finder.found


class RefuseNulCharacters(SchemaExtension):
    """No text may hold U+0000: PostgreSQL cannot store it, so it is refused at the door, for every
    argument and variable alike (a BAD_USER_INPUT naming the argument or variable)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        for name, value in (context.variables or {}).items():
            if _nul_in(value):
                raise _bad_input(f"${name} holds a NUL (\\u0000) character, which text may not contain", name)
        if context.graphql_document is not None:
            found = _nul_argument(context.query, context.graphql_document)
            if found is not None:
                raise _bad_input(f"{found} holds a NUL (\\u0000) character, which text may not contain", found)
        yield
