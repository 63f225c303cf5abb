"""Query cost: an upper bound of the objects a query can return, computed from the
document before execution (GitHub/Shopify-like), reported in `extensions.cost`.

- scalars, enums and introspection fields cost 0;
- an object field costs 1 plus its selection;
- a list multiplies that by its size: the `first` argument, else the length of a list
  argument (`nodes(ids: …)`), else NESTED_LIST_SIZE (lists without a size argument are
  the small lists of one object — an opportunity's contacts or partners; anything that
  can grow large is a connection with `first`);
- a connection costs 1 plus `first` (default page size if absent) times its selection;
  inside it, `edges`/`nodes`/`pageInfo` are structure: the page size is already counted.
Fragments count in full (an upper bound); @skip/@include are ignored.

Over `max_query_cost` → refused (QUERY_TOO_COSTLY). Signed-in callers also spend the cost
from a per-user budget per minute (partners.budgets) → THROTTLED with retryAfter, HTTP 429.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    is_list_type,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from partners import budgets


NESTED_LIST_SIZE = 5


def _is_connection(type_) -> bool:
    return type_.name.endswith("Connection")


def _is_structure(type_) -> bool:
    return type_.name.endswith(("Connection", "Edge")) or type_.name == "PageInfo"


class CostCalculator:
    def __init__(self, schema, document, variables: dict | None, default_page_size: int) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.default_page_size = default_page_size
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
        if "first" in field_def.args:
            first = args.get("first")
            return first if isinstance(first, int) and first >= 0 else self.default_page_size
        if is_list_type(get_nullable_type(field_def.type)):
            for value in args.values():
                if isinstance(value, list):
                    return len(value)
            return NESTED_LIST_SIZE
        return 1


def query_cost(schema, document, operation_name: str | None, variables: dict | None, default_page_size: int) -> int:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    return CostCalculator(schema, document, variables, default_page_size).operation(operation)


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
        cost = query_cost(ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables, settings.default_page_size)
        self.report = {"requested": cost, "maxQueryCost": settings.max_query_cost}
        if cost > settings.max_query_cost:
            ctx.result = ExecutionResult(data=None, errors=[GraphQLError(
                f"This query could cost {cost} points, over the maximum of {settings.max_query_cost}: "
                "ask for smaller pages (`first`) or fewer nested lists.",
                extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxQueryCost": settings.max_query_cost},
            )])
        else:
            principal = getattr(ctx.context, "principal", None)
            if principal is not None and settings.cost_budget_per_minute > 0:
                spent = await budgets.spend(f"user:{principal.user_id}", cost, settings.cost_budget_per_minute)
                self.report.update(limit=spent.limit, remaining=spent.remaining, resetInSeconds=spent.reset_in)
                if not spent.allowed:
                    self._throttle(cost, spent)
        yield

    def _throttle(self, cost: int, spent: budgets.Spend) -> None:
        ctx = self.execution_context
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
