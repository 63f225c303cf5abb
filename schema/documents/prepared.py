"""A registered (or automatically persisted) document prepared once per process: parsed
once, validated once per rule set, its query cost computed once per (operation,
variables). The request path (server/documents.py) puts it on `request.state`; the
schema extension below hands it to Strawberry instead of parsing and validating again."""

from __future__ import annotations

from typing import Any, Callable

import orjson
from graphql import DocumentNode, GraphQLError, parse, validate
from strawberry.extensions import SchemaExtension

STATE_KEY = "prepared_document"
_MAX_COSTS = 64  # cost memo entries per document (distinct variable values)


class PreparedDocument:
    __slots__ = ("document_id", "body", "trusted", "_ast", "_parse_error", "_validation", "_costs", "compiled_plans",
                 "_cost_walker")

    def __init__(self, document_id: str, body: str, *, trusted: bool) -> None:
        self.document_id = document_id
        self.body = body
        self.trusted = trusted  # registered by an operator, not only persisted by a client
        self._ast: DocumentNode | None = None
        self._parse_error: GraphQLError | None = None
        self._validation: tuple[tuple, list[GraphQLError]] | None = None
        self._costs: dict[Any, int] = {}
        self.compiled_plans: dict[int, tuple] = {}  # schema/compiled: per operation, its plan or "unsupported"
        self._cost_walker: tuple[Any, Any] | None = None  # (schema, walker of results for their actual cost)

    def ast(self, parse_options: dict) -> DocumentNode:
        if self._parse_error is not None:
            raise self._parse_error
        if self._ast is None:
            try:
                self._ast = parse(self.body, **parse_options)
            except GraphQLError as exc:
                self._parse_error = exc
                raise
        return self._ast

    def validation_errors(self, schema, rules) -> list[GraphQLError]:
        key = tuple(rules)
        if self._validation is None or self._validation[0] != key:
            self._validation = (key, validate(schema, self._ast, rules))
        return self._validation[1]

    def cost(self, operation_name: str | None, variables: dict | None, compute: Callable[[], int]) -> int:
        key = (operation_name, orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else None)
        cost = self._costs.get(key)
        if cost is None:
            cost = compute()
            if len(self._costs) >= _MAX_COSTS:
                self._costs.clear()
            self._costs[key] = cost
        return cost


    def cost_walker(self, schema, make: Callable[[], Any]) -> Any:
        """What counts the actual cost of this document's results: it memoizes, per
        selection set, which fields to walk, so it is made once per document and schema."""
        if self._cost_walker is None or self._cost_walker[0] is not schema:
            self._cost_walker = (schema, make())
        return self._cost_walker[1]


def prepared_for(execution_context) -> PreparedDocument | None:
    request = getattr(execution_context.context, "request", None)
    state = getattr(request, "state", None)
    return getattr(state, STATE_KEY, None) if state is not None else None


def cached_query_cost(execution_context, compute: Callable[[], int]) -> int:
    """The query cost of this request, computed once per (document, operation, variables)
    for a prepared document, else computed now."""
    prepared = prepared_for(execution_context)
    if prepared is None:
        return compute()
    return prepared.cost(execution_context.operation_name, execution_context.variables, compute)


def cached_cost_walker(execution_context, make: Callable[[], Any]) -> Any:
    """`make()`, kept on the prepared document when the request runs one (its AST is the
    document's own, so the walker's memo stays valid), else made for this request."""
    prepared = prepared_for(execution_context)
    if prepared is None or execution_context.graphql_document is not prepared._ast:
        return make()
    return prepared.cost_walker(execution_context.schema._schema, make)


class PreparedDocuments(SchemaExtension):
    """Last in the schema's extensions: for a prepared document, the parsed AST and the
    validation result come from the document, not from parsing and validating again."""

    def on_parse(self):
        prepared = prepared_for(self.execution_context)
        if prepared is not None:
            ctx = self.execution_context
            try:
                ctx.graphql_document = prepared.ast(ctx.parse_options)
            except GraphQLError:
                pass  # Strawberry parses again and reports the error as usual
        yield

    def on_validate(self):
        prepared = prepared_for(self.execution_context)
        ctx = self.execution_context
        if prepared is not None and ctx.graphql_document is prepared._ast and ctx.validation_rules:
            ctx.pre_execution_errors = prepared.validation_errors(ctx.schema._schema, ctx.validation_rules)
        yield
