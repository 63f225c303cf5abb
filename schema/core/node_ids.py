"""Resolve every Node's `id` without Strawberry's per-field resolver machinery.

Strawberry resolves `Node.id` through its generic resolver wrapper: a Strawberry `Info`
per field, argument conversion, the field-extension chain, then `Node._id`, which builds
the same GlobalID this module builds. A page of 50 registrations and 50 plans with their
opportunities asks for ~200 ids; the wrapper was a fifth of the portal dashboard's CPU
(bench/RESULTS.md). The `id` field has no arguments, no field extensions and no
authorization of its own (the node it belongs to was scoped when it was loaded), so
after the schema is built each Node type's `id` is given a direct graphql-core resolver
that returns the same value already serialized: the base64 of "TypeName:id", which is
what the ID scalar makes of Strawberry's GlobalID (str(GlobalID(...))), without building
one per field.

Types that override `resolve_id` or `resolve_typename`, and roots that are not instances
of the type's class, keep Strawberry's resolver.
"""

from __future__ import annotations

from typing import Any, Callable

from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.relay.utils import to_base64


def _direct_id_resolver(origin: type[relay.Node], type_name: str, attr: str, fallback: Callable) -> Callable:
    def resolve_id(root: Any, info: Any) -> Any:
        if isinstance(root, origin):
            value = getattr(root, attr)
            if value is not None:
                return to_base64(type_name, value)
        return fallback(root, info)

    return resolve_id


def install_direct_node_ids(schema) -> int:
    """Give each Node type's `id` a direct resolver; returns how many types got one."""
    installed = 0
    for name, gql_type in schema._schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        type_def = schema.get_type_by_name(name)
        origin = getattr(type_def, "origin", None)
        if not (isinstance(origin, type) and issubclass(origin, relay.Node)):
            continue
        if any(getattr(origin, m).__func__ is not getattr(relay.Node, m).__func__
               for m in ("resolve_id", "resolve_typename", "resolve_id_attr")):
            continue
        field = gql_type.fields.get("id")
        if field is None or field.args or field.resolve is None:
            continue
        field.resolve = _direct_id_resolver(origin, name, origin.resolve_id_attr(), field.resolve)
        installed += 1
    return installed
