"""The span of one GraphQL request (issue 42, partners/infra/tracing.py).

`TracedRequest` wraps the /graphql endpoint: when tracing is on, the request runs in a
SERVER span, so authentication, every resolver or compiled plan, hook call and SQL
statement of the request are its descendants. The endpoint adds what it learns as it goes:
the caller's role, the operation name and registered document id, then the executor
(compiled or generic) and the outcome (ok, user_error, error, refused) with its first
error code. Never the token, the query text, variables, or anything a user typed.
"""

from __future__ import annotations

from typing import Any

from partners.infra import tracing
from partners.infra.audit import USER_ERROR
from schema.core.errors import RequestRefused

STATE_KEY = "trace_span"
ANONYMOUS = "ANONYMOUS"


class TracedRequest:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if not tracing.enabled():
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        attributes = {"cosell.request_id": state.get("request_id", ""), "http.request.method": scope["method"]}
        with tracing.span("GraphQL", attributes, kind=tracing.SERVER) as span:
            state[STATE_KEY] = span

            async def send_status(message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if "cosell.outcome" not in (getattr(span, "attributes", None) or {}):
                        # Answered before execution (a refusal, too large, an idempotent replay).
                        span.set_attribute("cosell.outcome", "ok" if message["status"] < 400 else "refused")
                await send(message)

            await self.app(scope, receive, send_status)
            counter = state.get("statements")
            if counter is not None:
                span.set_attribute("cosell.sql_statements", counter.count)


def _span(request) -> Any:
    return getattr(request.state, STATE_KEY, None)


def note_caller(scope, principal) -> None:
    span = scope.get("state", {}).get(STATE_KEY)
    if span is not None:
        span.set_attribute("cosell.caller_role", principal.role.value if principal is not None else ANONYMOUS)


def note_operation(request, operation_name: str | None, document_id: str | None) -> None:
    span = _span(request)
    if span is None:
        return
    if operation_name:
        span.set_attribute("graphql.operation.name", operation_name)
    if document_id:
        span.set_attribute("cosell.document_id", document_id)


def note_result(request, context, result, refused: str | None = None) -> None:
    """After execution: the executor and the outcome (`refused` = the refusal's code)."""
    span = _span(request)
    if span is None:
        return
    if refused is not None:
        outcome, code = "refused", refused
    elif result.errors:
        outcome = "refused" if isinstance(result, RequestRefused) else "error"
        code = str((result.errors[0].extensions or {}).get("code", "ERROR"))
    else:
        outcome, code = "ok", ""
        for mutation in getattr(context, "mutation_outcomes", {}).values():
            if mutation.result == USER_ERROR:
                outcome, code = "user_error", (mutation.codes or ("",))[0]
                break
    operation = getattr(context, "operation", None)
    if operation is not None:  # named as OpenTelemetry's GraphQL conventions say: "query Dashboard"
        kind, name = operation.operation.value, operation.name.value if operation.name else None
        span.set_attribute("graphql.operation.type", kind)
        if name:
            span.set_attribute("graphql.operation.name", name)
        span.update_name(f"{kind} {name}" if name else kind)
    span.set_attribute("cosell.executor", getattr(context, "executor", "generic"))
    span.set_attribute("cosell.outcome", outcome)
    if code:
        span.set_attribute("cosell.error_code", code)
