"""Calling the domain from a mutation: refusals of input become `UserError`s, a role
that may not perform the operation at all becomes a FORBIDDEN GraphQL error."""

from __future__ import annotations

from typing import Awaitable, TypeVar

from partners.errors import DomainError, PermissionDenied
from schema.core.errors import Forbidden, UserError

T = TypeVar("T")


async def call_domain(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    try:
        return await call, []
    except DomainError as exc:
        return None, UserError.from_domain_error(exc)
    except PermissionDenied as exc:
        raise Forbidden(str(exc)) from exc
