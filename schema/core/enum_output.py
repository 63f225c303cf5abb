"""Serialize enum values by a dictionary lookup (issue 17).

Strawberry's enum type serializes a Python enum member by scanning the GraphQL type's
values for one whose value equals the member's: a loop per status, type and region of
every row of a page. After the schema is built, each Strawberry enum type gets a
serializer that looks the member up in a dictionary made from that same scan, once;
anything that is not a member of the enum class goes to Strawberry's own serializer,
so output and errors stay Strawberry's."""

from __future__ import annotations

from typing import Any, Callable

from strawberry.schema.schema_converter import CustomGraphQLEnumType


def _member_names(gql_type: CustomGraphQLEnumType) -> dict:
    names = {}
    for member in gql_type.wrapped_cls:
        for name, value in gql_type.values.items():
            if member.value == value.value:
                names[member] = name
                break
    return names


def _serializer(gql_type: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    names, members, strawberry_serialize = _member_names(gql_type), gql_type.wrapped_cls, gql_type.serialize

    def serialize(value: Any) -> Any:
        if type(value) is members:
            name = names.get(value)
            if name is not None:
                return name
        return strawberry_serialize(value)

    return serialize


def install_enum_serializers(schema) -> int:
    """Give each Strawberry enum type of `schema` the lookup serializer; returns how many."""
    installed = 0
    for gql_type in schema._schema.type_map.values():
        if isinstance(gql_type, CustomGraphQLEnumType) and "serialize" not in vars(gql_type):
            gql_type.serialize = _serializer(gql_type)
            installed += 1
    return installed
