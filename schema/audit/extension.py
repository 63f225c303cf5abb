"""Every mutation is audited, without its author doing anything.

`AuditOutcome` is attached by `build_schema` to every Mutation field: it runs the field
in one transaction and writes the field's audit row in it, so a committed mutation always
has its row, whatever happens to the operation's later fields (issue 16); the domain's
own `transaction()` blocks become savepoints of it. A field that raised rolled back: its
outcome (refusal, internal error) is noted, and `AuditMutations`, a schema extension,
writes the rows not yet written once the operation is done, also when the operation was
refused before execution (input limits, cost or budget).
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast
from graphql.utilities import value_from_ast_untyped
from strawberry import relay
from strawberry.extensions import FieldExtension, SchemaExtension

from partners.infra import audit
from partners.infra.db import transaction
from partners.infra.errors import DomainError
from schema.core.errors import VALIDATION_FAILED, code_of, is_unexpected

log = logging.getLogger("cosell.audit")


def _codes_of_payload(payload: Any) -> tuple[str, ...]:
    errors = getattr(payload, "errors", None) or []
    return tuple(getattr(e, "code", "ERROR") for e in errors)


def _outcome_of_exception(exc: BaseException) -> audit.Outcome:
    if isinstance(exc, DomainError):
        return audit.Outcome(audit.USER_ERROR, tuple(v.code for v in exc.violations))
    if isinstance(exc, GraphQLError):
        return audit.Outcome(audit.REFUSED, (str((exc.extensions or {}).get("code", "ERROR")),))
    return audit.Outcome(audit.INTERNAL_ERROR, ("INTERNAL_SERVER_ERROR",))


def _node_type(schema, name: str) -> bool:
    definition = schema.get_type_by_name(name) if schema is not None else None
    origin = getattr(definition, "origin", None)
    return isinstance(origin, type) and issubclass(origin, relay.Node)


def input_targets(schema, value: Any) -> list[tuple[str, int]]:
    """Every global id of a Node type found in a call's arguments (issue 34: the log filtered
    by target). A string that does not decode to one is no target."""
    found: list[tuple[str, int]] = []
    if isinstance(value, dict):
        for item in value.values():
            found += input_targets(schema, item)
    elif isinstance(value, list):
        for item in value[:100]:
            found += input_targets(schema, item)
    elif isinstance(value, str) and 4 <= len(value) <= 200:
        try:
            gid = relay.GlobalID.from_id(value)
        except Exception:  # noqa: BLE001 - not a global id: no target
            return found
        if gid.node_id.isdigit() and len(gid.node_id) <= 18 and _node_type(schema, gid.type_name):
            found.append((gid.type_name, int(gid.node_id)))
    return found


def result_targets(payload: Any) -> list[tuple[str, int]]:
    """The nodes a payload answers with (e.g. `user`, `partner`) and, for a node that belongs
    to a partner (a private `partner_id`), that partner."""
    found: list[tuple[str, int]] = []
    values = list(vars(payload).values()) if hasattr(payload, "__dict__") else []
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, relay.Node) or not isinstance(getattr(item, "id", None), int):
                continue
            found.append((type(item).__strawberry_definition__.name, item.id))  # type: ignore[attr-defined]
            partner_id = getattr(item, "partner_id", None)
            if isinstance(partner_id, int):
                found.append(("Partner", partner_id))
    return found


def _call(node: FieldNode, variables: dict | None, outcome: audit.Outcome, schema=None,
          payload: Any = None) -> audit.MutationCall:
    arguments = {a.name.value: value_from_ast_untyped(a.value, variables) for a in node.arguments or ()}
    targets = input_targets(schema, arguments) + (result_targets(payload) if payload is not None else [])
    return audit.MutationCall(node.name.value, arguments, outcome, tuple(dict.fromkeys(targets)))


class AuditOutcome(FieldExtension):
    async def resolve_async(self, next_, source, info, **kwargs):
        key = info.path.key
        context = info.context
        try:
            async with transaction():
                result = next_(source, info, **kwargs)
                if hasattr(result, "__await__"):
                    result = await result
                codes = _codes_of_payload(result)
                outcome = audit.Outcome(audit.USER_ERROR, codes) if codes else audit.Outcome(audit.OK)
                node = info._raw_info.field_nodes[0]
                call = _call(node, context.raw_variables, outcome, info.schema, result)
                await audit.record(context.principal, [call], context.request_id)
        except Exception as exc:
            context.mutation_outcomes[key] = _outcome_of_exception(exc)
            raise
        context.mutation_outcomes[key] = outcome
        context.audited_mutations.add(key)
        return result


def attach_audit(mutation_type: type | None) -> None:
    """Wrap every field of the Mutation type (idempotent: build_schema runs per app)."""
    if mutation_type is None:
        return
    for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if not any(isinstance(e, AuditOutcome) for e in field.extensions):
            field.extensions.append(AuditOutcome())  # last = outermost: sees permission refusals


def _root_fields(document, operation_name, fragments) -> list[FieldNode]:
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.MUTATION:
        return []
    fields: list[FieldNode] = []

    def walk(selection_set) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif hasattr(selection, "selection_set") and selection.selection_set is not None:
                walk(selection.selection_set)  # inline fragment
            elif selection.name.value in fragments:
                walk(fragments[selection.name.value].selection_set)

    walk(operation.selection_set)
    return [f for f in fields if not f.name.value.startswith("__")]


class AuditMutations(SchemaExtension):
    async def on_validate(self):
        yield
        # A mutation document refused by validation never executes (on_execute does not
        # run): it is audited here, as REFUSED with the validation error's code.
        ctx = self.execution_context
        if ctx.pre_execution_errors and ctx.graphql_document is not None:
            await self._record(ctx, audit.Outcome(audit.REFUSED, (VALIDATION_FAILED,)))

    async def on_execute(self):
        self.execution_context.context.raw_variables = self.execution_context.variables
        yield
        ctx = self.execution_context
        if ctx.graphql_document is None:
            return
        await self._record(ctx, self._refusal(ctx.result))

    @staticmethod
    async def _record(ctx, refusal: audit.Outcome) -> None:
        fragments = {d.name.value: d for d in ctx.graphql_document.definitions if d.kind == "fragment_definition"}
        fields = _root_fields(ctx.graphql_document, ctx.operation_name, fragments)
        if not fields:
            return
        context = ctx.context
        calls = []
        for node in fields:
            key = node.alias.value if node.alias else node.name.value
            if key in context.audited_mutations:
                continue
            calls.append(_call(node, ctx.variables, context.mutation_outcomes.get(key) or refusal, ctx.schema))
        if not calls:
            return
        try:
            await audit.record(context.principal, calls, context.request_id)
        except Exception:  # noqa: BLE001 - the mutation is done; losing its audit row must be loud
            log.exception("could not write the audit log for %s", [c.mutation for c in calls])

    @staticmethod
    def _refusal(result) -> audit.Outcome:
        """The outcome of a field that never ran: the operation was refused before execution."""
        errors = (result.errors if result is not None else None) or []
        if any(is_unexpected(e) for e in errors):
            return audit.Outcome(audit.INTERNAL_ERROR, ("INTERNAL_SERVER_ERROR",))
        codes = tuple(code_of(e) for e in errors)
        return audit.Outcome(audit.REFUSED, codes or ("NOT_EXECUTED",))
