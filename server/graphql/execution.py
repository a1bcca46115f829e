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

from typing import Any

from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_PLANS: dict[tuple[str, str], tuple[Any, Any] | None] = {}  # (type, field) -> (resolver, leaf type)


def _plan(parent_type: GraphQLObjectType, name: str, field: GraphQLField) -> tuple[Any, Any] | None:
    key = (parent_type.name, name)
    if key in _PLANS:
        return _PLANS[key]
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    plan = None
    if getattr(field.resolve, "_is_default", False) and not field.args and is_leaf_type(leaf):
        plan = (field.resolve, leaf)
    _PLANS[key] = plan
    return plan


class LeafFastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        manager = self.middleware_manager
        if manager is None or not manager.middlewares:  # an extension with a resolve hook sees every field
            node = field_details_list[0].node
            name = node.name.value
            field = parent_type.fields.get(name)
            if field is not None and not node.arguments:
                plan = _plan(parent_type, name, field)
                if plan is not None:
                    resolve, leaf = plan
                    try:
                        value = resolve(source, None)
                        if value is not None:
                            coerced = leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                return coerced
                    except Exception:  # the standard path below reports it properly
                        pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
