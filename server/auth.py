"""Bearer-token authentication for the GraphQL endpoint."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from partners.people.identity import authenticate
from partners.people.principal import Principal
from server.sso import SsoRefused, looks_like_jwt


class InvalidCredentials(Exception):
    """A token was sent but is malformed, unknown, revoked or its user is inactive."""


async def principal_from_request(conn: HTTPConnection) -> Principal | None:
    """None for anonymous calls; raises InvalidCredentials for a bad token."""
    header = conn.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidCredentials("Authorization header must be: Bearer <token>.")
    state = conn.app.state if "app" in conn.scope else None
    sso = getattr(state, "sso", None)
    if sso is not None and looks_like_jwt(token.strip()):
        try:
            return await sso.principal(token.strip())
        except SsoRefused as exc:
            raise InvalidCredentials(str(exc)) from None
    settings = getattr(state, "settings", None)
    principal = await authenticate(token.strip(), max_age=getattr(settings, "auth_cache_seconds", 0.0))
    if principal is None:
        raise InvalidCredentials("Invalid or revoked token.")
    return principal
