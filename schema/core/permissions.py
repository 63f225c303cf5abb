"""The caller of a resolver. Who may call a field at all is declared with
`schema.core.access`; which rows they see is the job of the domains'
scoping functions (`partners/<domain>/scoping.py`)."""

from __future__ import annotations

from partners.people.principal import Principal
from schema.core.access import AUTH_MESSAGE
from schema.core.errors import Unauthenticated


def require_principal(info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise Unauthenticated(AUTH_MESSAGE)
    return principal
