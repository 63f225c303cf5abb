"""Call plain field resolvers without Strawberry's per-field wrapper (issue 17).

For every field with a resolver, Strawberry's graphql-core resolver builds a Strawberry
`Info`, converts the (absent) arguments, builds the (empty) field-extension chain, and
goes through `StrawberryField.get_result` and `StrawberryResolver.__call__` before it
reaches the method: six calls and as many allocations per field and object, a fifth of
a generic `opportunities(first: 100)` request.

A field whose resolver is a method of the type (`self`, optionally `info`) with no
GraphQL arguments, no field extensions (so no permission classes and no staff-only
visibility), no root or parent parameter, and no exception handler is given a direct
graphql-core resolver instead: `method(source, info=Info(...))`, with the same Strawberry
`Info` class. What it returns is what Strawberry's wrapper returned (graphql-core awaits
a coroutine itself). Every other field keeps Strawberry's resolver; schema extensions
with a `resolve` hook still wrap every field (graphql-core's middleware).
"""

from __future__ import annotations

from typing import Any, Callable

from graphql import GraphQLObjectType


def _direct(func: Callable, field, info_class, info_name: str | None) -> Callable:
    if info_name is None:
        def resolve(source: Any, info: Any) -> Any:
            return func(source)
    elif info_name == "info":
        def resolve(source: Any, info: Any) -> Any:
            return func(source, info=info_class(_raw_info=info, _field=field))
    else:
        def resolve(source: Any, info: Any) -> Any:
            return func(source, **{info_name: info_class(_raw_info=info, _field=field)})
    resolve._is_default = False  # type: ignore[attr-defined]  # as Strawberry marks resolvers of its own
    resolve.__qualname__ = f"direct:{getattr(func, '__qualname__', func)}"
    return resolve


def _eligible(field, converter) -> bool:
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.arguments or field.is_subscription:
        return False
    if resolver.self_parameter is None or resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return False
    handlers = getattr(converter, "_get_field_exception_handlers", None)
    return handlers is not None and not handlers(field)


def install_direct_resolvers(schema) -> int:
    """Give eligible fields (see the module docstring) a direct resolver; returns how many."""
    converter = schema.schema_converter
    info_class = schema.config.info_class
    name_of = schema.config.name_converter.get_graphql_name
    installed = 0
    for name, gql_type in schema._schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        definition = schema.get_type_by_name(name)
        for field in getattr(definition, "fields", ()):
            gql_field = gql_type.fields.get(name_of(field))
            if gql_field is None or gql_field.args or getattr(gql_field.resolve, "__name__", "") not in (
                    "_resolver", "_async_resolver"):
                continue  # not Strawberry's wrapper (e.g. schema/core/node_ids.py's ids)
            if not _eligible(field, converter):
                continue
            info = field.base_resolver.info_parameter
            gql_field.resolve = _direct(field.base_resolver.wrapped_func, field, info_class,
                                        info.name if info is not None else None)
            installed += 1
    return installed
