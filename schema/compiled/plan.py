"""Compile an operation into a plan and run it (see the package docstring).

A plan is a tree of `ObjectPlan`s, one per selection set: for each response key, how to
get the values of a whole level at once (an attribute, a Node id, a batch resolver) and
how to complete them (non-null check, list, leaf serialization, sub-object). Objects of
one level are completed together, so each batch resolver runs once per level."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from graphql import (
    FieldNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
)
from graphql.pyutils import Undefined
from strawberry import relay
from strawberry.relay.utils import to_base64

from schema.compiled.batches import BATCHES, NARROWED, ROW_BATCHES
from schema.compiled.row_fields import ROW_FIELDS
from schema.core.cost import object_cost


class Unsupported(Exception):
    """The document has something a plan does not express: the generic executor runs it."""


class Fallback(Exception):
    """At run time the plan met what only the generic executor reports (a null in a
    non-null place, an unexpected object): the generic executor runs the operation."""


NONNULL, LIST, LEAF, OBJECT = range(4)
ATTR, NODE_ID, BATCH, TYPENAME, DIRECT, COLUMN = range(6)


class ContextOnlyInfo:
    """What a DIRECT resolver gets as `info`: the request context and nothing else. A
    resolver that reads anything more (selected fields, path…) raises AttributeError, and
    the operation runs generic."""
    __slots__ = ("context",)

    def __init__(self, context) -> None:
        self.context = context


@dataclass
class FieldPlan:
    key: str
    how: int
    source: Any  # attribute name, (origin, id attribute, type name), batch function, (column, conversion)
    completion: tuple
    leaf: Any = None  # the scalar or enum type when the field is one (completed inline)
    nonnull: bool = False
    # The Python type whose values this leaf serializes as they are (str for String and
    # ID, bool for Boolean): written without a call to the scalar's serializer.
    passthrough: type | None = None
    name: str = ""  # the schema's field name (a batch's)
    shape: Callable[[Any, list], Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.shape = _shaper(self.completion) if self.completion else _no_shape
        completion = self.completion
        if completion and completion[0] == NONNULL:
            self.nonnull, completion = True, completion[1]
        if completion and completion[0] == LEAF:
            self.leaf = completion[1]
            self.passthrough = _PASSTHROUGH.get(self.leaf)


_PASSTHROUGH = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


@dataclass
class ObjectPlan:
    type_name: str
    origin: type
    fields: list[FieldPlan] = field(default_factory=list)
    cost: int = 1  # what each object adds to the actual cost (schema/core/cost.py)
    # Completed from rows (dicts) rather than nodes: every field is a COLUMN, a row's
    # NODE_ID or __typename (schema/compiled/row_fields.py).
    rows: bool = False
    columns: tuple[str, ...] = ()  # the columns its rows are read for (with the id)


@dataclass
class RootField:
    key: str
    node: FieldNode
    completion: tuple
    shape: Callable[[Any, list], Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.shape = _shaper(self.completion)


@dataclass
class Plan:
    roots: list[RootField]
    # By root key: {field of a connection's nodes: the columns read of its rows}, for the
    # root resolver's join (schema/core/selection.py plan_columns).
    narrow: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def compile_operation(strawberry_schema, operation: OperationDefinitionNode) -> Plan:
    if operation.operation is not OperationType.QUERY or operation.directives:
        raise Unsupported("only queries without directives")
    schema = strawberry_schema._schema
    root_type = schema.query_type
    roots = []
    for node in _fields(operation.selection_set):
        name = node.name.value
        if name.startswith("__"):
            raise Unsupported("introspection")
        field_def = root_type.fields.get(name)
        if field_def is None:
            raise Unsupported(name)
        if name in getattr(strawberry_schema, "plugin_fields", ()):
            # A plugin's resolver runs exactly once: never a plan that may fall back and run it again.
            raise Unsupported(f"{name}: a plugin's field (cosell_extend_schema)")
        roots.append(RootField(_key(node), node, _completion(strawberry_schema, field_def.type, node)))
    if len({r.key for r in roots}) != len(roots):
        raise Unsupported("a response key asked twice")
    return Plan(roots, {root.key: _narrow(root.completion) for root in roots})


def _narrow(completion: tuple) -> dict[str, tuple[str, ...]]:
    """For a connection: each field of its nodes that every occurrence reads from rows,
    with the union of their columns."""
    connection, found, whole = _object_of(completion), {}, set()
    for nodes in connection.fields if connection is not None else ():
        node = _object_of(nodes.completion) if nodes.name == "nodes" and nodes.completion else None
        for fp in node.fields if node is not None else ():
            sub = _object_of(fp.completion) if fp.how == BATCH and fp.completion else None
            if sub is not None and sub.rows and fp.name not in whole:
                found[fp.name] = tuple(sorted(set(found.get(fp.name, ())) | set(sub.columns)))
            elif sub is not None:
                whole.add(fp.name)
                found.pop(fp.name, None)
    return found


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _fields(selection_set) -> list[FieldNode]:
    fields = []
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            raise Unsupported("fragments")
        if selection.directives:
            raise Unsupported("directives")
        fields.append(selection)
    return fields


def _completion(strawberry_schema, gql_type, node: FieldNode, rows: bool = False) -> tuple:
    """With `rows`, an object whose selection row_fields.py covers is completed from rows."""
    if isinstance(gql_type, GraphQLNonNull):
        return (NONNULL, _completion(strawberry_schema, gql_type.of_type, node, rows))
    if isinstance(gql_type, GraphQLList):
        return (LIST, _completion(strawberry_schema, gql_type.of_type, node, rows))
    if isinstance(gql_type, (GraphQLScalarType, GraphQLEnumType)):
        if node.selection_set is not None:
            raise Unsupported("selection on a leaf")
        return (LEAF, gql_type)
    if isinstance(gql_type, GraphQLObjectType) and node.selection_set is not None:
        plan = _object_plan(strawberry_schema, gql_type, node.selection_set)
        return (OBJECT, _from_rows(plan) if rows else plan)
    raise Unsupported(f"type {gql_type}")


def _object_plan(strawberry_schema, gql_type: GraphQLObjectType, selection_set) -> ObjectPlan:
    definition = strawberry_schema.get_type_by_name(gql_type.name)
    # A specialised generic (OpportunityConnection) is built on a copy of its class; the
    # resolvers return instances of the generic class itself.
    generic = getattr(definition, "concrete_of", None)
    origin = getattr(generic if generic is not None else definition, "origin", None)
    if not isinstance(origin, type) or getattr(definition, "is_interface", False):
        raise Unsupported(gql_type.name)
    converter = strawberry_schema.config.name_converter
    by_name = {converter.get_graphql_name(f): f for f in definition.fields}
    plan = ObjectPlan(gql_type.name, origin, cost=object_cost(gql_type))
    seen = set()
    for node in _fields(selection_set):
        key, name = _key(node), node.name.value
        if key in seen:
            raise Unsupported("a response key asked twice")
        seen.add(key)
        if name == "__typename":
            plan.fields.append(FieldPlan(key, TYPENAME, gql_type.name, ()))
            continue
        field_def = gql_type.fields.get(name)
        strawberry_field = by_name.get(name)
        if field_def is None or strawberry_field is None or node.arguments or field_def.args:
            raise Unsupported(f"{gql_type.name}.{name}")
        completion = _completion(strawberry_schema, field_def.type, node)
        if strawberry_field.extensions or getattr(strawberry_field, "permission_classes", None):
            raise Unsupported(f"{gql_type.name}.{name} has field extensions")
        resolver = strawberry_field.base_resolver
        if name == "id" and issubclass(origin, relay.Node) and getattr(field_def.resolve, "__name__", "") == "resolve_id":
            # schema/core/node_ids.py gave this type a direct id resolver: the same GlobalID.
            plan.fields.append(FieldPlan(key, NODE_ID, (origin, origin.resolve_id_attr(), gql_type.name), completion))
        elif resolver is not None:
            batch = BATCHES.get(resolver.wrapped_func)
            if batch in ROW_BATCHES:
                by_rows = _completion(strawberry_schema, field_def.type, node, rows=True)
                by_rows_plan = _object_of(by_rows)
                if by_rows_plan is not None and by_rows_plan.rows:
                    batch, completion = ROW_BATCHES[batch], by_rows
                    if batch in NARROWED:
                        batch = NARROWED[batch](by_rows_plan.columns)
            if batch is not None:
                plan.fields.append(FieldPlan(key, BATCH, batch, completion, name=name))
            elif resolver.arguments or resolver.self_parameter is None:
                raise Unsupported(f"{gql_type.name}.{name}: a resolver with arguments or without self")
            else:
                # The resolver itself, called with the object and a ContextOnlyInfo: the
                # same code as the generic path (Strawberry's wrapper adds nothing for a
                # field without arguments or extensions); awaitables of a level are
                # awaited together, so DataLoaders still batch them.
                plan.fields.append(FieldPlan(key, DIRECT, (resolver.wrapped_func, resolver.info_parameter is not None),
                                             completion))
        else:
            plan.fields.append(FieldPlan(key, ATTR, strawberry_field.python_name, completion))
    return plan


def _object_of(completion: tuple) -> ObjectPlan | None:
    while completion[0] in (NONNULL, LIST):
        completion = completion[1]
    return completion[1] if completion[0] == OBJECT else None


def _from_rows(plan: ObjectPlan) -> ObjectPlan:
    """The same selection read from rows, when row_fields.py has each of its fields; else `plan`."""
    columns = ROW_FIELDS.get(plan.origin)
    if columns is None:
        return plan
    fields, read = [], {"id"}
    for fp in plan.fields:
        if fp.how == ATTR and fp.source in columns:
            fields.append(FieldPlan(fp.key, COLUMN, columns[fp.source], fp.completion))
            read.add(columns[fp.source][0])
        elif fp.how == NODE_ID and columns.get(fp.source[1], (None,))[0] == fp.source[1]:
            fields.append(fp)  # the row's id column under the same name (from_row's id=row["id"])
        elif fp.how == TYPENAME:
            fields.append(fp)
        else:
            return plan
    return ObjectPlan(plan.type_name, plan.origin, fields, plan.cost, rows=True, columns=tuple(sorted(read)))


async def _direct(source: tuple, values: list, context) -> list:
    func, takes_info = source
    column: list = []
    try:
        if takes_info:
            info = ContextOnlyInfo(context)
            for v in values:
                column.append(func(v, info))
        else:
            for v in values:
                column.append(func(v))
    except BaseException:
        for value in column:
            if inspect.iscoroutine(value):
                value.close()  # never started: no "never awaited" warning
        raise
    waiting = [i for i, value in enumerate(column) if inspect.isawaitable(value)]
    if waiting:
        for i, value in zip(waiting, await asyncio.gather(*(column[i] for i in waiting))):
            column[i] = value
    return column


# --- running --------------------------------------------------------------------------------

def _no_shape(value: Any, pending: list) -> Any:
    raise AssertionError("a field without a completion is written directly")


def _shaper(completion: tuple) -> Callable[[Any, list], Any]:
    """The function that turns a value of this completion into its JSON value (built once
    per field of a plan); sub-objects become empty dicts queued in `pending`."""
    kind = completion[0]
    if kind == NONNULL:
        inner = _shaper(completion[1])

        def nonnull(value: Any, pending: list) -> Any:
            if value is None:
                raise Fallback("null in a non-null place")
            return inner(value, pending)
        return nonnull
    if kind == LEAF:
        serialize, passthrough = completion[1].serialize, _PASSTHROUGH.get(completion[1])

        def leaf(value: Any, pending: list) -> Any:
            if value is None:
                return None
            if type(value) is passthrough:
                return value
            serialized = serialize(value)
            if serialized is Undefined or serialized is None:
                raise Fallback("unserializable leaf")
            return serialized
        return leaf
    if kind == LIST:
        item = completion[1]
        if item[0] == NONNULL and item[1][0] == OBJECT:
            return _objects_shaper(item[1][1])
        inner = _shaper(item)

        def items(value: Any, pending: list) -> Any:
            return None if value is None else [inner(v, pending) for v in value]
        return items
    plan: ObjectPlan = completion[1]
    origin = dict if plan.rows else plan.origin

    def one_object(value: Any, pending: list) -> Any:
        if value is None:
            return None
        if not isinstance(value, origin):
            raise Fallback(f"not a {plan.type_name}")
        out: dict = {}
        pending.append((plan, value, out))
        return out
    return one_object


def _objects_shaper(plan: "ObjectPlan") -> Callable[[Any, list], Any]:
    """`[T!]`, the usual list of objects (a page's nodes, a registration's conflicts), in one loop."""
    origin = dict if plan.rows else plan.origin

    def objects(value: Any, pending: list) -> Any:
        if value is None:
            return None
        outs = []
        for item in value:
            if item is None:
                raise Fallback("null in a non-null place")
            if not isinstance(item, origin):
                raise Fallback(f"not a {plan.type_name}")
            out: dict = {}
            pending.append((plan, item, out))
            outs.append(out)
        return outs
    return objects


async def complete_objects(queue: list, context) -> int:
    """Fill the queued dicts, level by level; objects of one plan share their batches.
    Returns the actual cost of what was built: every object of the result is queued here
    once, so counting them gives what ActualCost's walk of the result would."""
    cost = 0
    while queue:
        groups: dict[int, tuple[ObjectPlan, list, list]] = {}
        for plan, value, out in queue:
            group = groups.setdefault(id(plan), (plan, [], []))
            group[1].append(value)
            group[2].append(out)
        queue = []
        for plan, values, outs in groups.values():
            cost += plan.cost * len(values)
            for fp in plan.fields:
                if fp.how == ATTR:
                    column = [getattr(v, fp.source) for v in values]
                elif fp.how == COLUMN:
                    name, convert = fp.source
                    column = [v[name] for v in values] if convert is None else [convert(v[name]) for v in values]
                elif fp.how == NODE_ID:  # the serialized id, as schema/core/node_ids.py resolves it
                    origin, attr, type_name = fp.source
                    key, rows = fp.key, plan.rows
                    for out, v in zip(outs, values):
                        node_id = v[attr] if rows else getattr(v, attr)
                        if node_id is None:
                            raise Fallback("a node without an id")
                        out[key] = to_base64(type_name, node_id)
                    continue
                elif fp.how == TYPENAME:
                    for out in outs:
                        out[fp.key] = fp.source
                    continue
                elif fp.how == DIRECT:
                    column = await _direct(fp.source, values, context)
                else:
                    column = await fp.source(values, context)
                key = fp.key
                if fp.leaf is not None:
                    serialize, nonnull, passthrough = fp.leaf.serialize, fp.nonnull, fp.passthrough
                    for out, value in zip(outs, column):
                        if type(value) is passthrough:
                            out[key] = value
                            continue
                        if value is None:
                            if nonnull:
                                raise Fallback("null in a non-null place")
                            out[key] = None
                            continue
                        serialized = serialize(value)
                        if serialized is Undefined or serialized is None:
                            raise Fallback("unserializable leaf")
                        out[key] = serialized
                    continue
                shape = fp.shape
                for out, value in zip(outs, column):
                    out[key] = shape(value, queue)
    return cost
