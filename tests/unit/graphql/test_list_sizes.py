"""Every list field of the schema has a declared size, so the cost limit budgets every response."""

from __future__ import annotations

from server.graphql.cost import FieldTable
from server.graphql.list_sizes import LIST_SIZES
from server.graphql.schema import build_schema


def test_every_list_field_has_a_declared_size_and_every_declaration_a_field() -> None:
    lists = FieldTable.from_sdl(build_schema().as_str()).list_fields()
    assert [key for key in lists if key not in LIST_SIZES] == []
    assert [key for key in LIST_SIZES if key not in lists] == []
