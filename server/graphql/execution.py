"""A faster path through graphql-core for the commonest field there is: a plain attribute that is a scalar.

A dashboard answer is mostly leaves (20 habits x 30 days x date/status/quantity). graphql-core
builds a resolve-info tuple, calls the resolver and walks `complete_value` for each of them,
though Strawberry's resolver for a field without a resolver of its own ignores the info and
reads an attribute. Here such a field (no arguments, no middleware, a scalar or enum type) is
read and coerced directly. Whenever that does not give a plain value (None, an error, a value
the type refuses), the field goes the standard way, so nulls, errors and their paths come out
exactly as graphql-core makes them; the standard way reads the same attribute again, which has
no side effects.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# (object type, field name) -> (reader, leaf type), or None for a field that goes the standard way.
# Keyed by the type object itself: two schemas may both have a type of the same name.
_PLANS: dict[tuple[GraphQLObjectType, str], tuple[Any, Any] | None] = {}


def _plan(parent_type: GraphQLObjectType, name: str, field: GraphQLField) -> tuple[Any, Any] | None:
    key = (parent_type, name)
    if key in _PLANS:
        return _PLANS[key]
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    plan: tuple[Any, Any] | None = None
    if getattr(field.resolve, "_is_default", False) and not field.args and is_leaf_type(leaf):
        definition = field.extensions.get("strawberry-definition")
        # Only a truly basic field (no resolver, permission classes or field extensions): Strawberry
        # marks every resolver-less field `_is_default`, guarded or not. Its resolver is
        # `default_resolver(source, python_name)`; with the default `getattr`, read it directly.
        if (definition is not None and definition.is_basic_field and definition.base_resolver is None
                and definition.default_resolver is getattr):
            plan = (attrgetter(definition.python_name), leaf)
    _PLANS[key] = plan
    return plan


_MISS = object()


class LeafFastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def _leaf(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any) -> Any:
        """The field's coerced value when the fast path applies, else _MISS."""
        node = field_details_list[0].node
        if node.arguments:
            return _MISS
        name = node.name.value
        field = parent_type.fields.get(name)
        plan = _plan(parent_type, name, field) if field is not None else None
        if plan is None:
            return _MISS
        read, leaf = plan
        try:
            value = read(source)
            if value is None or isinstance(value, Exception) or self.is_awaitable(value):
                return _MISS  # graphql-core reports, awaits or nulls these
            coerced = leaf.coerce_output_value(value)
        except Exception:  # the standard path reports it, located
            return _MISS
        return _MISS if coerced is None or coerced is Undefined else coerced

    def _fast(self) -> bool:
        manager = self.middleware_manager
        return manager is None or not manager.middlewares  # an extension with a resolve hook sees every field

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any, grouped_field_set: Any,
                       position_context: Any) -> Any:
        # An object made only of such leaves (a heatmap day) is built in one loop, without a
        # Path per field; one miss sends the whole object the standard way.
        if self._fast():
            results = {}
            for response_name, field_details_list in grouped_field_set.items():
                value = self._leaf(parent_type, source_value, field_details_list)
                if value is _MISS:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def complete_list_value(self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any,
                            position_context: Any) -> Any:
        # A list of such objects (30 or 365 heatmap days) skips the per-item completion frames.
        item_type = return_type.of_type
        inner = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if self._fast() and isinstance(inner, GraphQLObjectType) and isinstance(result, list):
            grouped, new_defer_usages, _ = self.collect_subfields(inner, field_details_list)
            if not new_defer_usages:
                items = self._leaf_objects(inner, grouped, result, info)
                if items is not None:
                    return items
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def _leaf_objects(self, object_type: GraphQLObjectType, grouped: Any, result: list[Any],
                      info: Any) -> list[dict[str, Any]] | None:
        out = []
        fields = list(grouped.items())
        is_type_of = object_type.is_type_of
        for item in result:
            if item is None or (is_type_of is not None and is_type_of(item, info) is not True):
                return None
            values = {}
            for response_name, field_details_list in fields:
                value = self._leaf(object_type, item, field_details_list)
                if value is _MISS:
                    return None
                values[response_name] = value
            out.append(values)
        return out

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        if self._fast():
            value = self._leaf(parent_type, source, field_details_list)
            if value is not _MISS:
                return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
