"""Enum values serialize by lookup (schema/core/enum_output.py, issue 17): the same
output as Strawberry's own serializer for every member and every other value."""

from __future__ import annotations

import pytest
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from schema import build_schema


def test_every_enum_member_serializes_as_strawberry_serializes_it():
    schema = build_schema()
    enum_types = [t for t in schema._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]
    assert len(enum_types) > 10
    for gql_type in enum_types:
        assert "serialize" in vars(gql_type), gql_type.name  # the lookup is installed
        for member in gql_type.wrapped_cls:
            assert gql_type.serialize(member) == CustomGraphQLEnumType.serialize(gql_type, member)
            # A stored value (a string from the database) goes to Strawberry's serializer.
            assert gql_type.serialize(member.value) == CustomGraphQLEnumType.serialize(gql_type, member.value)


def test_a_value_outside_the_enum_is_refused_as_strawberry_refuses_it():
    gql_type = build_schema()._schema.type_map["DealRegistrationStatus"]
    with pytest.raises(Exception) as ours:
        gql_type.serialize("NOT_A_STATUS")
    with pytest.raises(Exception) as theirs:
        CustomGraphQLEnumType.serialize(gql_type, "NOT_A_STATUS")
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_rows_convert_stored_values_to_the_same_members_as_the_enum_call():
    from schema.core.enums import DealRegistrationStatus, OpportunityStage, member

    for enum_type in (DealRegistrationStatus, OpportunityStage):
        for value in enum_type:
            assert member(enum_type, value.value) is enum_type(value.value)
    with pytest.raises(ValueError):  # a value outside the enum still fails as Enum's call does
        member(OpportunityStage, "NOT_A_STAGE")
