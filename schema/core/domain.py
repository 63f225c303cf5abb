"""Calling the domain from a mutation: refusals of input become `UserError`s, a role
that may not perform the operation at all becomes a FORBIDDEN GraphQL error."""

from __future__ import annotations

from typing import Any, Awaitable, TypeVar

import strawberry

from partners.infra.errors import DomainError, PermissionDenied
from schema.core.errors import Forbidden, UserError

T = TypeVar("T")


async def call_domain(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    try:
        return await call, []
    except DomainError as exc:
        return None, UserError.from_domain_error(exc)
    except PermissionDenied as exc:
        raise Forbidden(str(exc)) from exc


EXPECTED_VERSION_HELP = (
    "The `version` you last read (issue 10). When the record has changed since, the write is refused with "
    "STALE_VERSION (field expectedVersion) and nothing changes. Without it the write applies to the current "
    "record; concurrent writes still never lose each other's changes."
)


def expected_version_field() -> Any:
    """The optional `expectedVersion` of an update-style mutation's input."""
    return strawberry.field(default=None, description=EXPECTED_VERSION_HELP)
