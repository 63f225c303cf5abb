"""Leaf fields of the generic executor without a resolve info (issue 38 item 3).

graphql-core's `execute_field` builds a `GraphQLResolveInfo` (sixteen values) for every
field of every object, calls its resolver and completes the value through
`complete_value`'s type dispatch. Most fields of a page are leaves read from an attribute
(Strawberry's basic fields: no resolver, no extensions) or a Node's `id`
(schema/core/node_ids.py), and need none of that: their value is the attribute, or the
base64 global id, serialized by the leaf type. A page of 100 opportunities with their
team and contacts asks for ~2,000 of them.

`leaf_reader(...)` returns, once per (object type, field), a function that gives such a
field's serialized value, or `SLOW` whenever anything is unusual (an exception, a null
in a non-null place, a value the type does not serialize, a source that is not the
type's class): graphql-core then runs the field as usual, and reports what it reports.
Reading an attribute and serializing it have no side effects, so reading twice is safe.
"""

from __future__ import annotations

from typing import Any, Callable

from graphql import GraphQLBoolean, GraphQLEnumType, GraphQLID, GraphQLNonNull, GraphQLScalarType, GraphQLString
from graphql.pyutils import Undefined
from strawberry import relay
from strawberry.relay.utils import to_base64

SLOW = object()
_PASSTHROUGH = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


def leaf_reader(strawberry_schema, parent_type, field_name: str) -> Callable[[Any], Any] | None:
    """The fast reader of `parent_type.field_name`, or None when the field is not a plain leaf."""
    field_def = parent_type.fields.get(field_name)
    if field_def is None or field_def.args or field_def.resolve is None:
        return None
    gql_type, nonnull = field_def.type, False
    if isinstance(gql_type, GraphQLNonNull):
        gql_type, nonnull = gql_type.of_type, True
    if not isinstance(gql_type, (GraphQLScalarType, GraphQLEnumType)):
        return None
    definition = strawberry_schema.get_type_by_name(parent_type.name)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type):
        return None
    resolve_name = getattr(field_def.resolve, "__name__", "")
    if resolve_name == "resolve_id" and issubclass(origin, relay.Node) and field_name == "id":
        return _node_id(origin, origin.resolve_id_attr(), parent_type.name)
    if resolve_name != "_get_basic_result":
        return None
    converter = strawberry_schema.config.name_converter
    field = next((f for f in definition.fields if converter.get_graphql_name(f) == field_name), None)
    if field is None or not field.is_basic_field or field.default_resolver is not getattr:
        return None
    return _attribute(field.python_name, gql_type, nonnull)


def _attribute(name: str, leaf, nonnull: bool) -> Callable[[Any], Any]:
    passthrough, coerce = _PASSTHROUGH.get(leaf), leaf.coerce_output_value

    def read(source: Any) -> Any:
        try:
            value = getattr(source, name)
        except Exception:  # noqa: BLE001 - graphql-core reports it, at its path
            return SLOW
        if type(value) is passthrough:
            return value
        if value is None:
            return SLOW if nonnull else None
        try:
            coerced = coerce(value)
        except Exception:  # noqa: BLE001 - as above
            return SLOW
        return SLOW if coerced is Undefined or coerced is None else coerced
    return read


def _node_id(origin: type, attr: str, type_name: str) -> Callable[[Any], Any]:
    def read(source: Any) -> Any:
        # What schema/core/node_ids.py's resolver returns (already the ID's serialized form).
        if type(source) is not origin and not isinstance(source, origin):
            return SLOW
        value = getattr(source, attr, None)
        return SLOW if value is None else to_base64(type_name, value)
    return read
