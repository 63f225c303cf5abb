"""Query cost: an upper bound of the objects a query can return, computed from the
document before execution (GitHub/Shopify-like), reported in `extensions.cost`.

- scalars, enums and introspection fields cost 0;
- an object field costs 1 plus its selection;
- a list multiplies that by its size: the `first` argument, wherever it sits (an
  argument, or a field of an input object: `partnerLocator(input: {first: 100})`; the
  default page size when the field takes one but it is not given), else the length of a
  list argument (`nodes(ids: …)`), else NESTED_LIST_SIZE (lists without a size argument
  are the small lists of one object — an opportunity's contacts or partners; anything
  that can grow large is a connection with `first`);
- a connection costs 1 plus `first` (default page size if absent) times its selection;
  inside it, `edges`/`nodes`/`pageInfo` are structure: the page size is already counted.
Fragments count in full (an upper bound); @skip/@include are ignored.

After execution, `extensions.cost.actual` counts the same way over what was returned
(each object returned costs 1; a connection 1 plus its page), as Shopify's actual cost.

Over `max_query_cost` → refused (QUERY_TOO_COSTLY). Signed-in callers also spend the cost
from a per-user budget per minute (partners.infra.budgets) → THROTTLED with retryAfter, HTTP 429.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    InlineFragmentNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from partners.infra import budgets
from partners.infra.metrics import BUDGET_REFUSALS
from schema.core.errors import RequestRefused
from schema.documents.prepared import cached_cost_walker, cached_query_cost

NESTED_LIST_SIZE = 5


def _is_connection(type_) -> bool:
    return type_.name.endswith("Connection")


def _is_structure(type_) -> bool:
    return type_.name.endswith(("Connection", "Edge")) or type_.name == "PageInfo"


def object_cost(type_) -> int:
    """What one returned object of this type adds to the actual cost: 1, but 0 for the
    plumbing of a connection (its edges and pageInfo; the connection itself counts)."""
    return 0 if _is_structure(type_) and not _is_connection(type_) else 1


def _first_given(value: Any) -> Any:
    """The `first` among these argument values, looking inside input objects."""
    if isinstance(value, dict):
        if "first" in value:
            return value["first"]
        for item in value.values():
            found = _first_given(item)
            if found is not None:
                return found
    return None


def _takes_first(args: dict, seen: frozenset = frozenset()) -> bool:
    """Whether these arguments (or the input objects they take) have a `first` field."""
    for name, arg in args.items():
        if name == "first":
            return True
        named = get_named_type(arg.type)
        if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            if _takes_first(named.fields, seen | {named.name}):
                return True
    return False


class CostCalculator:
    def __init__(self, schema, document, variables: dict | None, default_page_size: int,
                 max_page_size: int | None = None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.default_page_size = default_page_size
        self.max_page_size = max_page_size
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}

    def operation(self, operation) -> int:
        return self.selection(operation.selection_set, self.schema.get_root_type(operation.operation))

    def selection(self, selection_set, parent) -> int:
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent)
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection(node.selection_set, target)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                total += self.selection(fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value))
        return total

    def field(self, node: FieldNode, parent) -> int:
        name = node.name.value
        field_def = getattr(parent, "fields", {}).get(name)
        if name.startswith("__") or field_def is None:
            return 0
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        inner = self.selection(node.selection_set, named) if node.selection_set else 0
        size = 1 if _is_structure(parent) else self.size(node, field_def)
        if _is_connection(named):
            return 1 + size * inner
        if _is_structure(named):
            return size * inner
        return size * (1 + inner)

    def size(self, node: FieldNode, field_def) -> int:
        args = {a.name.value: value_from_ast_untyped(a.value, self.variables) for a in node.arguments or ()}
        if _takes_first(field_def.args):
            first = _first_given(args)
            if not (isinstance(first, int) and first >= 0):
                return self.default_page_size
            # A larger page is refused by the field itself (BAD_USER_INPUT): never more returned.
            return first if self.max_page_size is None else min(first, self.max_page_size)
        if is_list_type(get_nullable_type(field_def.type)):
            for value in args.values():
                if isinstance(value, list):
                    return len(value)
            return NESTED_LIST_SIZE
        return 1


class ActualCost:
    """The cost of what an executed operation returned, counted like the requested cost.

    The document's selections are compiled once into a tree of what can cost anything
    (the non-leaf fields, fragments merged in); a request then only walks its result
    along that tree: no field collection, type or hash lookups per returned object."""

    def __init__(self, schema, document) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
        self._operations: dict[int, tuple[Any, list]] = {}  # id(selections) → (selections, tree)

    def tree(self, selections, parent) -> list:
        """[(response key, the tree of its selections, whether it is structure)] for the
        non-leaf fields among `selections` on `parent`."""
        tree = []
        for key, (field_def, sub) in self.collect(selections, parent, {}).items():
            named = get_named_type(field_def.type)
            if not is_leaf_type(named):
                tree.append((key, self.tree(sub, named), not object_cost(named)))
        return tree

    def collect(self, selections, parent, into: dict) -> dict:
        """Response key → (field definition, its selections), fragments merged in."""
        for node in selections:
            if isinstance(node, FieldNode):
                field_def = getattr(parent, "fields", {}).get(node.name.value)
                if field_def is None or node.name.value.startswith("__"):
                    continue
                key = (node.alias or node.name).value
                _, merged = into.setdefault(key, (field_def, []))
                merged.extend(node.selection_set.selections if node.selection_set else ())
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                self.collect(node.selection_set.selections, target, into)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                fragment = self.fragments[node.name.value]
                self.collect(fragment.selection_set.selections, self.schema.get_type(fragment.type_condition.name.value), into)
        return into

    def operation(self, selections, root_type, data: dict) -> int:
        memo = self._operations.get(id(selections))
        if memo is None:  # keeps `selections` (its id) alive with its tree
            memo = self._operations[id(selections)] = (selections, self.tree(selections, root_type))
        return _object_cost(memo[1], data)


def _object_cost(tree: list, data: dict) -> int:
    total = 0
    for key, sub, structure in tree:
        value = data.get(key)
        if value is not None:
            total += _value_cost(sub, structure, value)
    return total


def _value_cost(tree: list, structure: bool, value) -> int:
    if isinstance(value, dict):
        return (_object_cost(tree, value) if tree else 0) + (0 if structure else 1)
    if isinstance(value, list):
        return sum(_value_cost(tree, structure, item) for item in value if item is not None)
    return 0


def actual_cost(schema, document, operation_name: str | None, data: dict | None,
                walker: "ActualCost | None" = None) -> int:
    operation = get_operation_ast(document, operation_name)
    if operation is None or not isinstance(data, dict):
        return 0
    return (walker or ActualCost(schema, document)).operation(
        operation.selection_set.selections, schema.get_root_type(operation.operation), data)


def query_cost(schema, document, operation_name: str | None, variables: dict | None, default_page_size: int,
               max_page_size: int | None = None) -> int:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    return CostCalculator(schema, document, variables, default_page_size, max_page_size).operation(operation)


class QueryCost(SchemaExtension):
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.report: dict[str, Any] | None = None

    async def on_execute(self):
        ctx = self.execution_context
        if ctx.result is not None:  # refused before execution (input limits): costs nothing
            yield
            return
        settings = self.settings
        if self._refuse_bad_variables():
            yield
            return
        cost = cached_query_cost(ctx, lambda: query_cost(
            ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables,
            settings.default_page_size, settings.max_page_size))
        self.report = {"requested": cost, "maxQueryCost": settings.max_query_cost}
        if cost > settings.max_query_cost:
            ctx.result = ExecutionResult(data=None, errors=[GraphQLError(
                f"This query could cost {cost} points, over the maximum of {settings.max_query_cost}: "
                "ask for smaller pages (`first`) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxQueryCost": settings.max_query_cost},
            )])
        else:
            # Anonymous callers spend per request from their IP's budget (server.http_guard):
            # they can read `viewer` only, whatever the document asks for.
            principal = getattr(ctx.context, "principal", None)
            if principal is not None and settings.cost_budget_per_minute > 0:
                spent = await budgets.spend(f"user:{principal.user_id}", cost, settings.cost_budget_per_minute)
                self.report.update(limit=spent.limit, remaining=spent.remaining, resetInSeconds=spent.reset_in)
                if not spent.allowed:
                    self._throttle(cost, spent)
        yield
        counted = getattr(ctx.context, "counted_cost", None)
        if counted is not None:
            self.report["actual"] = counted
            return
        result = ctx.result
        schema, document = ctx.schema._schema, ctx.graphql_document
        walker = cached_cost_walker(ctx, lambda: ActualCost(schema, document))
        self.report["actual"] = actual_cost(schema, document, ctx.operation_name, getattr(result, "data", None), walker)

    def _refuse_bad_variables(self) -> bool:
        """Variables of the wrong type (a bad enum value, an unknown input field) refuse the
        document before execution: it costs nothing and is audited as BAD_USER_INPUT."""
        ctx = self.execution_context
        operation = get_operation_ast(ctx.graphql_document, ctx.operation_name)
        ctx.context.operation = operation  # its name labels the request metrics (server/metrics.py)
        if operation is None:
            return False
        coerced = get_variable_values(ctx.schema._schema, operation.variable_definitions or (), ctx.variables or {})
        if not isinstance(coerced, list):
            return False
        for error in coerced:
            error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
        ctx.result = RequestRefused(data=None, errors=coerced)
        return True

    def _throttle(self, cost: int, spent: budgets.Spend) -> None:
        ctx = self.execution_context
        BUDGET_REFUSALS.labels("authenticated").inc()
        ctx.result = ExecutionResult(data=None, errors=[GraphQLError(
            f"Cost budget exhausted: this query costs {cost} points and {spent.remaining} of "
            f"{spent.limit} remain this minute. Retry in {spent.reset_in} s.",
            extensions={"code": "THROTTLED", "retryAfter": spent.reset_in, "cost": cost, "remaining": spent.remaining},
        )])
        response = getattr(ctx.context, "response", None)
        if response is not None:
            response.status_code = 429
            response.headers["Retry-After"] = str(spent.reset_in)

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
