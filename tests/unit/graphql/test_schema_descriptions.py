"""Client developers read the schema in their tools: every type, field, argument and enum value says what it is.

An enum value may be explained by its own description or by name in its enum's description (our enums are
the domain's, so their values' words live on the enum).
"""

from __future__ import annotations

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)
from graphql import (
    build_schema as parse_sdl,
)

from server.graphql.schema import build_schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(schema: GraphQLSchema) -> list[str]:
    missing = []
    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not (kind.description or "").strip():
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                if not value.description and not re.search(rf"\b{value_name}\b", kind.description or ""):
                    missing.append(f"{name}.{value_name}")
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    # Through the printed SDL, as clients see it (and as schema.graphql holds it).
    schema = parse_sdl(build_schema().as_str())

    assert undescribed(schema) == []


def test_the_check_finds_what_is_not_described() -> None:
    schema = parse_sdl('''
        """Described."""
        type Query { "Described." a(x: Int): Int  b: Colour }
        """RED is named here."""
        enum Colour { RED BLUE }
    ''')

    assert undescribed(schema) == ["Colour.BLUE", "Query.a(x)", "Query.b"]
