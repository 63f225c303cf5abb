"""Plugins' GraphQL fields (`cosell_extend_schema`, issue 41): collected and checked when
an app builds its schema, so that a plugin's field is held to the contract of a built-in one.

What is refused, at start-up, with a `PluginError` naming the plugin:
- an answer other than `SchemaAdditions` or None, or a class that is not a Strawberry
  object type;
- a root field or mutation without an access rule (`extensions=[access(...)]`): the same
  declaration that the access matrix requires of cosell's own fields (docs/security.md);
- a mutation whose payload has no `errors: list[UserError]` (the error contract: expected
  refusals come back as UserErrors with code, field and rule, and the audit log records
  their codes);
- a field name cosell or an earlier plugin already uses (merge_types only warns);
- a `relay.Node` type of the plugin's own: `node(id:)` resolves only cosell's types, each
  through its scoping function; a plugin's objects carry plain ids (docs/plugins.md).

Each root field of a plugin is wrapped so that an unexpected exception of its resolver is
a `PluginFailure` naming the plugin and the field: the client gets the masked error with
the request id, the log names the plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import has_object_definition

from partners.infra.errors import DomainError
from plugins.manager import CosellPluginManager, PluginError, PluginFailure
from schema.core.access import rule_of
from schema.core.errors import UserError

HOOK = "cosell_extend_schema"
_NAMES = NameConverter()


@dataclass(frozen=True)
class SchemaAdditions:
    """What `cosell_extend_schema` answers: `@strawberry.type` classes whose fields join
    `Query` (`queries`) and `Mutation` (`mutations`), and `types` reachable only through
    an interface or a union (types a field names are found by themselves)."""

    queries: Sequence[type] = ()
    mutations: Sequence[type] = ()
    types: Sequence[type] = ()


@dataclass(frozen=True)
class Contribution:
    plugin: str
    additions: SchemaAdditions
    query_fields: tuple[str, ...]  # GraphQL names
    mutation_fields: tuple[str, ...]


class PluginFieldFailures(FieldExtension):
    """An unexpected exception of a plugin's resolver becomes PluginFailure(plugin, field):
    masked for the client like any internal error, the plugin named in the log. Refusals
    (GraphQL errors such as FORBIDDEN, DomainErrors) pass unchanged."""

    def __init__(self, plugin: str, field: str) -> None:
        super().__init__()
        self.plugin = plugin
        self.field = field

    def _failure(self, exc: Exception) -> Exception:
        if isinstance(exc, (GraphQLError, DomainError, PluginFailure)):
            return exc
        return PluginFailure(self.plugin, self.field, exc)

    def resolve(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        try:
            return next_(source, info, **kwargs)
        except Exception as exc:
            failure = self._failure(exc)
            if failure is exc:
                raise
            raise failure from exc

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        try:
            result = next_(source, info, **kwargs)
            if hasattr(result, "__await__"):
                result = await result
            return result
        except Exception as exc:
            failure = self._failure(exc)
            if failure is exc:
                raise
            raise failure from exc


def _invalid(plugin: str, problem: str) -> PluginError:
    return PluginError(f"Plugin {plugin!r} is invalid: {HOOK}: {problem}")


def _fields(cls: type) -> list:
    return list(cls.__strawberry_definition__.fields)  # type: ignore[attr-defined]


def _check_class(plugin: str, cls: Any, what: str) -> None:
    definition = getattr(cls, "__strawberry_definition__", None) if isinstance(cls, type) else None
    if definition is None or not has_object_definition(cls) or definition.is_input or definition.is_interface:
        raise _invalid(plugin, f"{what} must be @strawberry.type classes, not {cls!r}")


def _has_error_list(payload: Any) -> bool:
    if not has_object_definition(payload):
        return False
    for field in _fields(payload):
        if field.python_name == "errors":
            return getattr(field.type, "of_type", None) is UserError
    return False


def _root_fields(plugin: str, classes: Sequence[type], root: str, taken: dict[str, str],
                 mutation: bool) -> tuple[str, ...]:
    names = []
    for cls in classes:
        _check_class(plugin, cls, f"{root} additions")
        for field in _fields(cls):
            name = _NAMES.get_graphql_name(field)
            owner = taken.get(name)
            if owner is not None:
                raise _invalid(plugin, f"{root}.{name} is already defined by {owner}")
            if rule_of(field) is None:
                raise _invalid(plugin, f"{root}.{name} declares no access rule: add extensions=[access(...)] "
                                       "(schema.plugin_api: PUBLIC, AUTHENTICATED, STAFF, ADMIN, roles(...))")
            if mutation and not _has_error_list(field.type):
                raise _invalid(plugin, f"{root}.{name} must answer a payload with `errors: list[UserError]`")
            if not any(isinstance(e, PluginFieldFailures) for e in field.extensions):
                field.extensions.insert(0, PluginFieldFailures(plugin, f"{root}.{name}"))
            taken[name] = f"plugin {plugin!r}"
            names.append(name)
    return tuple(names)


def collect(plugins: CosellPluginManager | None, queries: Iterable[type], mutations: Iterable[type]
            ) -> list[Contribution]:
    """Ask every plugin for its additions and check them against cosell's root fields."""
    caller = getattr(plugins.hook, HOOK, None) if plugins is not None else None
    if caller is None:
        return []
    taken = {"query": _taken(queries), "mutation": _taken(mutations)}
    found = []
    for impl in caller.get_hookimpls():
        plugin = impl.plugin_name
        try:
            answer = impl.function()
        except PluginFailure as exc:
            raise PluginError(str(exc)) from exc
        if answer is None:
            continue
        if not isinstance(answer, SchemaAdditions):
            raise _invalid(plugin, f"answer a schema.plugin_api.SchemaAdditions or None, not {type(answer).__name__}")
        for cls in answer.types:
            if not (isinstance(cls, type) and hasattr(cls, "__strawberry_definition__")):
                raise _invalid(plugin, f"types must be Strawberry types, not {cls!r}")
        query_fields = _root_fields(plugin, answer.queries, "Query", taken["query"], mutation=False)
        mutation_fields = _root_fields(plugin, answer.mutations, "Mutation", taken["mutation"], mutation=True)
        found.append(Contribution(plugin, answer, query_fields, mutation_fields))
    return found


def _taken(classes: Iterable[type]) -> dict[str, str]:
    return {_NAMES.get_graphql_name(field): "cosell" for cls in classes for field in _fields(cls)}


def _reachable(schema: GraphQLSchema, starts: Iterable[Any]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        named = get_named_type(stack.pop())
        if named is None or named.name in seen:
            continue
        seen.add(named.name)
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            for field in named.fields.values():
                stack.append(field.type)
                stack.extend(arg.type for arg in field.args.values())
            stack.extend(named.interfaces)
        elif isinstance(named, GraphQLInputObjectType):
            stack.extend(field.type for field in named.fields.values())
        elif isinstance(named, GraphQLUnionType):
            stack.extend(named.types)
    return seen


def _roots(schema: GraphQLSchema, names: Callable[[str], bool]) -> list[Any]:
    starts = []
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            if names(name):
                starts.append(field.type)
                starts.extend(arg.type for arg in field.args.values())
    return starts


def check_no_plugin_nodes(schema: GraphQLSchema, contributions: list[Contribution], builtin_types: Iterable[type]
                          ) -> None:
    """A type only a plugin brings may not be a Node (see the module docstring)."""
    plugin_fields = {name for c in contributions for name in (*c.query_fields, *c.mutation_fields)}
    builtin = _reachable(schema, _roots(schema, lambda name: name not in plugin_fields))
    builtin |= {t.__strawberry_definition__.name for t in builtin_types}  # type: ignore[attr-defined]
    for contribution in contributions:
        own = set(contribution.query_fields) | set(contribution.mutation_fields)
        extra = [schema.type_map[t.__strawberry_definition__.name] for t in contribution.additions.types]  # type: ignore[attr-defined]
        for name in sorted(_reachable(schema, [*_roots(schema, own.__contains__), *extra]) - builtin):
            graphql_type = schema.type_map[name]
            definition = (graphql_type.extensions or {}).get("strawberry-definition")
            origin = getattr(definition, "origin", None)
            if isinstance(origin, type) and issubclass(origin, relay.Node):
                raise _invalid(contribution.plugin, f"{name} is a relay.Node: a plugin's types may not be Nodes "
                                                    "(give them a plain `id: str`, docs/plugins.md)")
