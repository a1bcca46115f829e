"""What an operation costs, measured on its parsed document before anything else looks at it.

One walk over the operation (fragments expanded, each fragment measured once and reused, so
spreading a fragment many times costs the walk nothing extra) gives every figure the door
checks need:

- `fields`: field selections after fragment expansion, every repetition counted (maxFields);
- `repeats`: the most times one response name is selected in one merged selection set —
  graphql-core's overlapping-fields rule compares such fields pairwise, so `{ me { id } me { id }
  … }` is quadratic to validate; refused above MAX_REPEATS (maxRepeats);
- `spreads`: fragment spreads written in the document (the same rule compares them pairwise too;
  maxFragmentSpreads);
- `depth` (introspection roots apart), `aliases`;
- `cost`: the most values the response could hold — each field counts once per item of every list
  around it, lists sized from their arguments (`days(from, to)`, `first`, `days`) or by the
  bounds declared in LIST_SIZES (maxCost);
- `root_fields`: root field names with repetitions (authentication, sign-in attempts);
- `nul_argument`: the first argument whose literal text holds U+0000.

Pure over graphql-core's AST; the schema's shape comes in as a FieldTable built from its SDL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    build_schema,
    get_named_type,
    is_list_type,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLObjectType

MAX_TOKENS = 2000  # graphql-core's parser stops there
MAX_DEPTH = 12
MAX_INTROSPECTION_DEPTH = 16
MAX_ALIASES = 30
MAX_FIELDS = 1000
MAX_REPEATS = 20
# Fragment spreads written in a document: graphql-core's overlapping-fields rule compares spreads
# pairwise and follows chains of them (150 chained spreads: ~140 ms to validate here).
MAX_SPREADS = 50
MAX_COST = 200_000
# A list field nobody declared a bound for counts as this many items.
DEFAULT_LIST_SIZE = 100
DAYS_MAX = 1000


@dataclass(frozen=True, slots=True)
class Returns:
    type_name: str
    is_list: bool


class FieldTable:
    """(parent type, field name) -> what the field returns: its named type and whether it is a list."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.root = {OperationType.QUERY: _name(schema.query_type), OperationType.MUTATION: _name(schema.mutation_type),
                     OperationType.SUBSCRIPTION: _name(schema.subscription_type)}
        self.fields: dict[tuple[str, str], Returns] = {}
        for type_ in schema.type_map.values():
            if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
                for name, definition in type_.fields.items():
                    inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
                    self.fields[(type_.name, name)] = Returns(get_named_type(definition.type).name,
                                                              is_list_type(inner) or isinstance(inner, GraphQLList))

    @classmethod
    def from_sdl(cls, sdl: str) -> FieldTable:
        return cls(build_schema(sdl))

    def returns(self, parent: str | None, name: str) -> Returns | None:
        return self.fields.get((parent, name)) if parent else None

    def list_fields(self) -> list[tuple[str, str]]:
        return sorted(key for key, returns in self.fields.items() if returns.is_list and not key[0].startswith("__"))


def _name(type_: Any) -> str | None:
    return type_.name if type_ is not None else None


# -- list sizes ---------------------------------------------------------------------------------

Arguments = Mapping[str, Any]
# What the door knows of the asker that bounds a list better than the schema does (e.g. how many
# habits they really have), by name.
Bounds = Mapping[str, int]
# How many items a list field can hold: from its own arguments, from the arguments of the field
# that returned its parent object (a connection's `edges` are as many as its `first`), or from
# a bound known for this asker.
SizeRule = Callable[[Arguments, Arguments, Bounds], int]


def fixed(size: int) -> SizeRule:
    return lambda own, parent, bounds: size


def bounded_by(name: str, maximum: int) -> SizeRule:
    """The asker's own bound when known (their number of habits), else the service's maximum."""
    return lambda own, parent, bounds: min(maximum, bounds.get(name, maximum))


def argument(name: str, default: int, maximum: int, of_parent: bool = False) -> SizeRule:
    def size(own: Arguments, parent: Arguments, bounds: Bounds) -> int:
        value = (parent if of_parent else own).get(name, default)
        return _bounded(value, default, maximum)
    return size


def input_length(argument_name: str, key: str, maximum: int) -> SizeRule:
    """As many items as a list in the parent field's input object (an import report has a row per
    row sent); the maximum when the input is not a plain value (a literal object, a missing key)."""
    def size(own: Arguments, parent: Arguments, bounds: Bounds) -> int:
        value = parent.get(argument_name)
        if not isinstance(value, Mapping):
            return maximum
        items = value.get(key)
        if items is None:
            return 0
        return min(maximum, len(items)) if isinstance(items, list) else maximum
    return size


def date_range(of_parent: bool = False) -> SizeRule:
    def size(own: Arguments, parent: Arguments, bounds: Bounds) -> int:
        args = parent if of_parent else own
        try:
            start, end = date.fromisoformat(str(args["from"])), date.fromisoformat(str(args["to"]))
        except (KeyError, ValueError):
            return DAYS_MAX  # the executor refuses it; the estimate stays an upper bound
        return max(0, min(DAYS_MAX, (end - start).days + 1))
    return size


def _bounded(value: Any, default: int, maximum: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        return maximum
    return max(0, min(maximum, value))


def _node_value(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    """A literal's Python value, or the variable's raw JSON value; None where neither is plain."""
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        try:
            return int(node.value)
        except ValueError:
            return None
    if isinstance(node, FloatValueNode | StringValueNode | EnumValueNode):
        return node.value
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    return None  # lists and objects size nothing here


# -- the walk -----------------------------------------------------------------------------------

@dataclass
class Measure:
    """Figures of one selection set (or fragment) per unit of the lists around it."""

    fields: int = 0
    aliases: int = 0
    depth: int = 0
    introspection_depth: int = 0
    cost: int = 0
    repeats: int = 0
    names: Counter[str] = field(default_factory=Counter)  # response names at this set's top level
    roots: list[str] = field(default_factory=list)  # field names at this set's top level, repeated


@dataclass(frozen=True, slots=True)
class OperationFacts:
    operation: OperationDefinitionNode
    fields: int
    aliases: int
    depth: int
    introspection_depth: int
    cost: int
    repeats: int
    root_fields: tuple[str, ...]
    nul_argument: str | None
    spreads: int = 0
    selects: frozenset[tuple[str, str]] = frozenset()  # (type, field) of every list field selected

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation is OperationType.MUTATION


_CAP = 64  # depths beyond any limit: stop descending (a fragment chain cannot recurse forever either)


class _Walk:
    def __init__(self, document: DocumentNode, table: FieldTable, sizes: Mapping[tuple[str, str], SizeRule],
                 variables: Mapping[str, Any], bounds: Bounds) -> None:
        self.table = table
        self.sizes = sizes
        self.variables = variables
        self.bounds = bounds
        self.lists: set[tuple[str, str]] = set()
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.memo: dict[tuple[str, str | None, bool], Measure] = {}
        self.active: set[str] = set()
        self.nul_argument: str | None = None
        self.fields = 0  # selections walked so far: past MAX_FIELDS the verdict is known, stop

    def selection_set(self, node: SelectionSetNode | None, parent: str | None, parent_args: Arguments,
                      level: int) -> Measure:
        total = Measure()
        if node is None or level > _CAP:
            return total
        for selection in node.selections:
            if self.fields > MAX_FIELDS:
                break
            if isinstance(selection, FieldNode):
                self._field(selection, parent, parent_args, level, total)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else parent
                _merge(total, self.selection_set(selection.selection_set, condition, parent_args, level))
            elif isinstance(selection, FragmentSpreadNode):
                _merge(total, self._fragment(selection.name.value, parent_args, level))
        total.repeats = max(total.repeats, max(total.names.values(), default=0))
        return total

    def _field(self, node: FieldNode, parent: str | None, parent_args: Arguments, level: int, total: Measure) -> None:
        name = node.name.value
        self.fields += 1
        total.fields += 1
        total.aliases += node.alias is not None
        total.names[(node.alias or node.name).value] += 1
        total.roots.append(name)
        args: dict[str, Any] = {}
        for argument_node in node.arguments or ():
            args[argument_node.name.value] = _node_value(argument_node.value, self.variables)
            if self.nul_argument is None and _holds_nul(argument_node.value):
                self.nul_argument = argument_node.name.value
        returns = self.table.returns(parent, name)
        items = 1
        if returns is not None and returns.is_list:
            self.lists.add((parent or "", name))
            rule = self.sizes.get((parent or "", name))
            items = rule(args, parent_args, self.bounds) if rule is not None else DEFAULT_LIST_SIZE
        inner = self.selection_set(node.selection_set, returns.type_name if returns else None, args, level + 1)
        total.fields += inner.fields
        total.aliases += inner.aliases
        total.repeats = max(total.repeats, inner.repeats)
        depth = 1 + inner.depth if node.selection_set is not None else 0
        if level == 0 and name.startswith("__"):
            # Introspection is bounded by its own depth limit (and graphql-core's introspection rule),
            # not by cost: the schema's own lists would make every IDE's first query "too expensive".
            total.introspection_depth = max(total.introspection_depth, depth)
            total.cost += 1
        else:
            total.depth = max(total.depth, depth)
            total.cost += items + items * inner.cost

    def _fragment(self, name: str, parent_args: Arguments, level: int) -> Measure:
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return Measure()  # unknown or cyclic: another validation rule's error
        # Sizes of the fragment's lists may read its parent's arguments: memoise per those.
        key = (name, repr(sorted(parent_args.items())) if parent_args else None, level == 0)
        if key not in self.memo:
            self.active.add(name)
            try:
                self.memo[key] = self.selection_set(definition.selection_set, definition.type_condition.name.value,
                                                    parent_args, level)
            finally:
                self.active.discard(name)
        return self.memo[key]


def _merge(total: Measure, part: Measure) -> None:
    total.fields += part.fields
    total.aliases += part.aliases
    total.depth = max(total.depth, part.depth)
    total.introspection_depth = max(total.introspection_depth, part.introspection_depth)
    total.cost += part.cost
    total.repeats = max(total.repeats, part.repeats)
    total.names.update(part.names)
    total.roots.extend(part.roots)


def _holds_nul(node: ValueNode) -> bool:
    if isinstance(node, StringValueNode):
        return "\x00" in node.value
    if isinstance(node, ListValueNode):
        return any(_holds_nul(value) for value in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_holds_nul(f.value) for f in node.fields)
    return False


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the named one, or the only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def measure(document: DocumentNode, operation: OperationDefinitionNode, table: FieldTable,
            sizes: Mapping[tuple[str, str], SizeRule], variables: Mapping[str, Any] | None = None,
            bounds: Bounds | None = None) -> OperationFacts:
    """Every figure of one operation, in one walk (see the module's docstring)."""
    walk = _Walk(document, table, sizes, variables or {}, bounds or {})
    whole = walk.selection_set(operation.selection_set, table.root.get(operation.operation), {}, 0)
    return OperationFacts(operation=operation, fields=max(whole.fields, walk.fields), aliases=whole.aliases,
                          depth=whole.depth, introspection_depth=whole.introspection_depth, cost=whole.cost,
                          repeats=whole.repeats, root_fields=tuple(whole.roots), nul_argument=walk.nul_argument,
                          selects=frozenset(walk.lists), spreads=_spreads_written(document))


def _spreads_written(document: DocumentNode) -> int:
    count = 0
    stack: list[SelectionSetNode] = [d.selection_set for d in document.definitions
                                     if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                count += 1
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                stack.append(selection.selection_set)
    return count
