"""The execution context that runs a trusted document's compiled plan.

Everything around execution stays Strawberry's and the schema extensions' (auth on the
request, input limits, cost and budget, audit, error masking): only the walk of the
selection set changes. Plans are compiled once per registered document and operation
and kept on its PreparedDocument; a document a plan cannot express is remembered as such.
A plan that meets anything unusual at run time (`Fallback`, or any error, whose message
and path only the generic executor reports) runs the generic executor instead: these
are queries, so running them again changes nothing."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from graphql import GraphQLResolveInfoHelpers
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from partners.infra import tracing
from schema.compiled.leaves import SLOW, leaf_reader
from schema.compiled.plan import Plan, Unsupported, compile_operation, complete_objects
from schema.core.selection import PLAN_COLUMNS
from schema.documents.prepared import STATE_KEY

log = logging.getLogger("cosell.compiled")
_UNSUPPORTED = object()


def _merged(grouped_field_set: dict, leaves: dict, others: dict) -> dict:
    """The object's values in the order the document asks for them."""
    return {key: leaves[key] if key in leaves else others[key]
            for key in grouped_field_set if key in leaves or key in others}


async def _merged_later(grouped_field_set: dict, leaves: dict, others) -> dict:
    return _merged(grouped_field_set, leaves, await others)


def _typename(name: str):
    def read(source: Any) -> str:
        return name
    return read


class PlanStats:
    """How many operations ran compiled and how many fell back (tests and the bench read it)."""
    compiled = 0
    fallbacks = 0


def _prepared(context: Any):
    if not getattr(getattr(context, "settings", None), "compiled_plans", False):
        return None
    state = getattr(getattr(context, "request", None), "state", None)
    prepared = getattr(state, STATE_KEY, None) if state is not None else None
    return prepared if prepared is not None and prepared.trusted else None


class CompiledExecutionContext(StrawberryGraphQLCoreExecutionContext):
    strawberry_schema: Any = None  # set per schema by install_compiled_plans
    # (object type, field name) -> the field's fast leaf reader or None (schema/compiled/leaves.py)
    leaf_readers: dict = {}
    fast_leaves = False  # on per operation, off when a schema extension resolves every field (graphql-core middleware)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core's helpers are bound methods of the execution context, which holds
        # them: a reference cycle that kept every request's context, loaders, rows and
        # nodes alive until the cyclic garbage collector ran, and made each of its
        # collections walk them (issue 38). Through a weak reference there is no cycle.
        this = weakref.ref(self)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda values: this().gather_async_work(values),
            track=lambda values: this().track_async_work(values))
        # id of a grouped field set -> (it, its fields' leaf readers or None): see execute_fields.
        self.object_readers: dict[int, tuple] = {}

    def _leaf_reader(self, parent_type, name: str):
        key = (parent_type, name)
        read = self.leaf_readers.get(key, _UNSUPPORTED)
        if read is _UNSUPPORTED:
            read = self.leaf_readers[key] = leaf_reader(self.strawberry_schema, parent_type, name)
        return read

    def _object_readers(self, parent_type, grouped_field_set) -> tuple[list | None, dict | None]:
        """(response key, reader) of the selection's plain leaves (None if fewer than two),
        and the grouped field set of its other fields (None if there are none)."""
        readers, rest = [], {}
        for response_name, field_details_list in grouped_field_set.items():
            name = field_details_list[0].node.name.value
            read = _typename(parent_type.name) if name == "__typename" else self._leaf_reader(parent_type, name)
            if read is None:
                rest[response_name] = field_details_list
            else:
                readers.append((response_name, read))
        return (readers if len(readers) > 1 or (readers and not rest) else None), (rest or None)

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        # An object's plain leaves (an amount, an account's id and name, a node's name and
        # stage) are read in one loop, without a Path and a field dispatch per leaf; its
        # other fields run as usual, after them. A leaf that is anything unusual (SLOW)
        # runs the whole object the usual way before any other field ran: reading is side-effect free.
        if self.fast_leaves:
            entry = self.object_readers.get(id(grouped_field_set))
            if entry is None or entry[0] is not grouped_field_set or entry[1] is not parent_type:
                # The grouped field set is kept with its readers: its id cannot be reused meanwhile.
                entry = self.object_readers[id(grouped_field_set)] = (
                    grouped_field_set, parent_type, *self._object_readers(parent_type, grouped_field_set))
            readers, rest = entry[2], entry[3]
            if readers is not None:
                leaves = {}
                for response_name, read in readers:
                    value = read(source_value)
                    if value is SLOW:
                        break
                    leaves[response_name] = value
                else:
                    if rest is None:
                        return leaves
                    others = super().execute_fields(parent_type, source_value, path, rest, position_context)
                    if self.is_awaitable(others):
                        return _merged_later(grouped_field_set, leaves, others)
                    return _merged(grouped_field_set, leaves, others)
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        if self.fast_leaves:
            key = (parent_type, field_details_list[0].node.name.value)
            read = self.leaf_readers.get(key, _UNSUPPORTED)
            if read is _UNSUPPORTED:
                read = self.leaf_readers[key] = leaf_reader(self.strawberry_schema, parent_type, key[1])
            if read is not None:
                value = read(source)
                if value is not SLOW:
                    return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _plan(self) -> Plan | None:
        prepared = _prepared(self.context_value)
        if prepared is None or self.strawberry_schema is None:
            return None
        plans = prepared.compiled_plans
        entry = plans.get(id(self.operation))
        if entry is None:
            try:
                plan: Any = compile_operation(self.strawberry_schema, self.operation)
            except Unsupported as why:
                log.debug("document %s runs generic: %s", prepared.document_id, why)
                plan = _UNSUPPORTED
            entry = plans[id(self.operation)] = (self.operation, plan)
        return None if entry[1] is _UNSUPPORTED else entry[1]

    def execute_collected_root_fields(self, root_type, root_value, grouped_field_set, serially, new_defer_usages):
        if tracing.enabled():  # root field spans; nothing at all per field when tracing is off
            self.execute_field = self._traced_execute_field
        try:  # for the request's span and metrics (server/request_tracing.py, server/metrics.py)
            self.context_value.operation = self.operation
            self.context_value.executor = "generic"
        except AttributeError:  # a context other than cosell's (None, a dict)
            pass
        # A schema extension with a `resolve` hook runs on every field in the generic
        # path; a plan would skip it below the root, so there is no plan then.
        resolve_hooks = bool(getattr(self.middleware_manager, "middlewares", None))
        self.fast_leaves = not resolve_hooks and self.strawberry_schema is not None
        plan = None if serially or resolve_hooks else self._plan()
        if plan is None:
            return super().execute_collected_root_fields(root_type, root_value, grouped_field_set, serially,
                                                         new_defer_usages)
        return self._run(plan, root_type, root_value, grouped_field_set, new_defer_usages)

    async def _run(self, plan: Plan, root_type, root_value, grouped_field_set, new_defer_usages) -> dict:
        try:
            with tracing.span("GraphQL plan", {"cosell.plan.roots": [f"{root_type.name}.{root.node.name.value}"
                                                                     for root in plan.roots]}):
                data = await self._run_plan(plan, root_type, root_value)
        except Exception as why:  # noqa: BLE001 - the generic executor reports it as usual
            log.debug("plan fell back: %r", why)
            PlanStats.fallbacks += 1
            result = super().execute_collected_root_fields(root_type, root_value, grouped_field_set, False,
                                                           new_defer_usages)
            return await result if self.is_awaitable(result) else result
        PlanStats.compiled += 1
        self.context_value.executor = "compiled"
        return data

    def _traced_execute_field(self, parent_type, source, field_details_list, path, position_context):
        # A span per root field (issue 42): not per field below, which would cost too much;
        # what a root's resolvers, loaders and hooks run nests under it.
        if path.prev is not None:
            return CompiledExecutionContext.execute_field(self, parent_type, source, field_details_list, path, position_context)
        return self._traced_root_field(parent_type, source, field_details_list, path, position_context)

    async def _traced_root_field(self, parent_type, source, field_details_list, path, position_context):
        field = f"{parent_type.name}.{field_details_list[0].node.name.value}"
        with tracing.span(f"resolve {field}", {"cosell.resolver": field}):
            result = super().execute_field(parent_type, source, field_details_list, path, position_context)
            return await result if self.is_awaitable(result) else result

    async def _run_plan(self, plan: Plan, root_type, root_value) -> dict:
        data: dict = {}
        narrow = PLAN_COLUMNS.set(plan.narrow)  # the root resolvers' joins (schema/core/selection.py)
        try:
            values = await self._roots(plan, root_type, root_value)
        finally:
            PLAN_COLUMNS.reset(narrow)
        queue: list = []
        for root, value in zip(plan.roots, values):
            data[root.key] = root.shape(value, queue)
        # The actual cost, counted as the objects were built: QueryCost need not walk the result.
        self.context_value.counted_cost = await complete_objects(queue, self.context_value)
        return data

    async def _roots(self, plan: Plan, root_type, root_value) -> list:
        values = []
        for root in plan.roots:
            field_def = root_type.fields[root.node.name.value]
            resolve_fn = field_def.resolve or self.field_resolver
            if self.middleware_manager:
                resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
            info = self.build_resolve_info(field_def, [root.node], root_type, Path(None, root.key, root_type.name))
            args = (get_argument_values(field_def, root.node, self.variable_values, None, self.hide_suggestions)
                    if field_def.args or root.node.arguments else {})
            value = resolve_fn(root_value, info, **args)
            if self.is_awaitable(value):
                value = await value
            values.append(value)
        return values


def install_compiled_plans(strawberry_schema) -> None:
    """Run this schema's operations through CompiledExecutionContext (plans only where
    the request's settings enable them and the document is a registered one)."""
    strawberry_schema.execution_context_class = type(
        "CompiledExecutionContext", (CompiledExecutionContext,),
        {"strawberry_schema": strawberry_schema, "leaf_readers": {}})
