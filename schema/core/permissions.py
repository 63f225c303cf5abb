"""Who may call a field. Scoping of rows is partners.scoping's job; this is roles."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from partners.enums import Role
from partners.identity import Principal
from schema.core.errors import Forbidden, Unauthenticated


class IsAuthenticated(BasePermission):
    message = "Authentication required: send Authorization: Bearer <token>."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info, **kwargs: Any) -> bool:
        return info.context.principal is not None


class IsStaff(BasePermission):
    message = "Only vendor staff may read this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.is_staff


def require_principal(info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise Unauthenticated("Authentication required: send Authorization: Bearer <token>.")
    return principal


def require_role(info, *roles: Role) -> Principal:
    principal = require_principal(info)
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"This needs one of the roles: {allowed}.")
    return principal
