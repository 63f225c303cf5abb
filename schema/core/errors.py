"""Errors: typed UserErrors for expected refusals, masking for everything else."""

from __future__ import annotations

import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types.execution import PreExecutionError

from partners.infra.engines import DatabaseBusy, is_connection_lost
from partners.infra.errors import DomainError, Violation

log = logging.getLogger("cosell.graphql")


# A rule id in parentheses at the end of a clause: " (D2)", " (O10, D2)". It belongs in
# `rule`, not in the sentence a person reads (issue 37).
_RULE_IDS = re.compile(r"\s*\((?:[ADOPR]\d{1,2})(?:\s*[,/;]\s*[ADOPR]\d{1,2})*\)")


def plain_message(text: str) -> str:
    """The message without the rule ids the domain writes into it (they stay in `rule`)."""
    return _RULE_IDS.sub("", text).strip()


@strawberry.type(description="An expected refusal of a mutation's input; nothing was written.")
class UserError:
    code: str = strawberry.field(description="Machine-readable, SCREAMING_SNAKE_CASE.")
    message: str  # plain language: rule ids go in `rule`, never in the text (__post_init__)
    field: list[str] = strawberry.field(description="Path of the input field at fault, if any.")
    rule: str | None = strawberry.field(description="The id of the rule that refused the input: look it up with `rule(id:)` or in docs/rules.md.")

    def __post_init__(self) -> None:
        self.message = plain_message(self.message)

    @classmethod
    def from_violation(cls, violation: Violation) -> "UserError":
        return cls(code=violation.code, message=violation.message, field=list(violation.field), rule=violation.rule)

    @classmethod
    def from_domain_error(cls, error: DomainError) -> list["UserError"]:
        return [cls.from_violation(v) for v in error.violations]


class RequestRefused(PreExecutionError):
    """A request refused as a whole before execution (variables that do not coerce, a
    persisted query refused): like a parse or validation failure, a request error, which
    a client accepting application/graphql-response+json gets as a 400 without `data`."""


def is_request_error(result: Any) -> bool:
    """Whether `result` is a GraphQL-over-HTTP request error: the document did not parse or
    validate, or the request was refused before execution (`RequestRefused`). A failure of
    the server before execution (an extension's exception, a busy database) is not."""
    if isinstance(result, RequestRefused):
        return True
    if not isinstance(result, PreExecutionError) or not result.errors:
        return False
    return all(e.original_error is None or isinstance(e.original_error, GraphQLError) for e in result.errors)


class ExpectedError(GraphQLError):
    """A deliberate, client-facing GraphQL error (never masked). `field` is the path of the
    argument at fault, always a list (`"filter.partnerId"` becomes `["filter", "partnerId"]`)."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        if isinstance(extensions.get("field"), str):
            extensions["field"] = extensions["field"].split(".")
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(ExpectedError):
    code = "UNAUTHENTICATED"


class Forbidden(ExpectedError):
    code = "FORBIDDEN"


class InvalidArgument(ExpectedError):
    code = "BAD_USER_INPUT"
    user_error_code = "INVALID_INPUT"  # its code as a mutation's payload UserError (schema.core.refusals)


class InvalidId(InvalidArgument):
    """A malformed global id, or one of another type than the argument takes."""

    user_error_code = "INVALID_ID"


# Codes of the errors graphql-core raises itself (docs/api.md, "Errors").
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"


def code_of(error: GraphQLError) -> str:
    """The `extensions.code` of a top-level error; errors graphql-core raised without one
    are classified: syntax errors, validation errors, variable values of the wrong type."""
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    message = error.message or ""
    if message.startswith("Syntax Error"):
        return PARSE_FAILED
    if message.startswith("Variable '$") and ("got invalid value" in message or "of required type" in message):
        return BAD_USER_INPUT
    if error.path is None and error.original_error is None:
        return VALIDATION_FAILED
    return "BAD_REQUEST"


def with_contract(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """The same error with `extensions.code` and `extensions.requestId` (the error contract)."""
    extensions = dict(error.extensions or {})
    extensions["code"] = code_of(error)
    if request_id is not None:
        extensions.setdefault("requestId", request_id)
    if isinstance(extensions.get("field"), str):
        extensions["field"] = extensions["field"].split(".")
    error.extensions = extensions
    return error


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, DomainError, DatabaseBusy))


UNAVAILABLE_CODE = "DATABASE_UNAVAILABLE"


def masked(error: GraphQLError, request_id: str | None) -> GraphQLError:
    """The client's view of an unexpected error: no SQL, no stack, the request id. Losing
    the database (restart, failover) is told apart as DATABASE_UNAVAILABLE, retryable."""
    if is_connection_lost(error.original_error):
        message = f"The database is unavailable; retry in a moment (request id {request_id})."
        extensions = {"code": UNAVAILABLE_CODE, "requestId": request_id, "retryAfter": 1}
    else:
        message = f"Internal error; quote request id {request_id} when reporting it."
        extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class MaskUnexpectedErrors(MaskErrors):
    """Replace unexpected errors by a generic message carrying the request id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return masked(error, getattr(self.execution_context.context, "request_id", None))


def log_unexpected_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error) and is_connection_lost(error.original_error):
            log.warning("database unavailable at %s: %s", ".".join(str(p) for p in error.path or ()),
                        error.original_error)
        elif is_unexpected(error):
            log.error(
                "unexpected error at %s: %s",
                ".".join(str(p) for p in error.path or ()),
                error.original_error,
                exc_info=error.original_error,
            )
