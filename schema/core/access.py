"""Declared access rules: who may call each root field and mutation, who sees each Node type.

A rule is declared where the field is defined, and the same declaration enforces it:

    @strawberry.field(extensions=[access(STAFF)])
    def plugins(self, info: Info) -> list[Plugin]: ...

    @strawberry.mutation(extensions=[access(AUTHENTICATED)])
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenPayload: ...

A field of a type that only some roles may read (e.g. internal sales thresholds, O11)
declares `visible_to(RULE)`: other callers read null, without an error, so the rest of the
object (and of a list) still answers. Such a field must be nullable:

    @strawberry.field(extensions=[visible_to(STAFF)])
    def requires_close_plan(self) -> bool | None: ...

Node types declare which scoping function governs what `node`/`nodes` return:

    node_access(PartnerNode, Partner, partner_scope, "staff: all; partner users: their own partner")

`tests/schema/test_access_matrix.py` walks the schema and fails when a root field, a
mutation or a Node type has no declared rule, then calls everything as every role.
Row-level visibility (which records) stays the job of `partners/<domain>/scoping.py`; these rules say
which roles may call a field at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from strawberry.extensions import FieldExtension

from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES
from schema.core.errors import Forbidden, Unauthenticated

AUTH_MESSAGE = "Authentication required: send Authorization: Bearer <token>."


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    roles: frozenset[Role]
    anonymous: bool = False

    def allows(self, principal) -> bool:
        if principal is None:
            return self.anonymous
        return principal.role in self.roles


PUBLIC = Rule("public", "anyone, anonymous callers included", frozenset(Role), anonymous=True)
AUTHENTICATED = Rule("authenticated", "any signed-in user", frozenset(Role))
STAFF = Rule("staff", "vendor staff (every role but PARTNER_USER and PARTNER_ADMIN)", frozenset(STAFF_ROLES))
ADMIN = Rule("admin", "administrators only", frozenset({Role.ADMIN}))


def roles(*allowed: Role, description: str = "") -> Rule:
    names = ", ".join(r.value for r in allowed)
    return Rule(f"roles({names})", description or f"roles {names}", frozenset(allowed))


class access(FieldExtension):  # noqa: N801 - reads as a declaration: extensions=[access(STAFF)]
    """Declares and enforces a field's access rule (Unauthenticated / Forbidden otherwise)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def _check(self, info) -> None:
        principal = info.context.principal
        if self.rule.allows(principal):
            return
        if principal is None:
            raise Unauthenticated(AUTH_MESSAGE)
        raise Forbidden(f"Not allowed for your role: {self.rule.description}.")

    def resolve(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        self._check(info)
        result = next_(source, info, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result


class visible_to(FieldExtension):  # noqa: N801 - reads as a declaration: extensions=[visible_to(STAFF)]
    """Declares who may read a field of a type; everyone else reads null (no error)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def resolve(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        if not self.rule.allows(info.context.principal):
            return None
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info, **kwargs: Any) -> Any:
        if not self.rule.allows(info.context.principal):
            return None
        result = next_(source, info, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result


def visibility_of(field) -> Rule | None:
    """The `visible_to` rule of a StrawberryField, or None (readable by all who see the object)."""
    for extension in field.extensions:
        if isinstance(extension, visible_to):
            return extension.rule
    return None


def rule_of(field) -> Rule | None:
    """The declared rule of a StrawberryField, or None."""
    for extension in field.extensions:
        if isinstance(extension, access):
            return extension.rule
    return None


@dataclass(frozen=True)
class NodeRule:
    table: Any
    scope: Callable[[Any], Any]
    description: str


NODE_RULES: dict[str, NodeRule] = {}


def node_access(node_cls: type, table: Any, scope: Callable[[Any], Any], description: str) -> None:
    """Declare that `node`/`nodes` show a row of `table` exactly when `scope(principal)` admits it."""
    NODE_RULES[node_cls.__strawberry_definition__.name] = NodeRule(table, scope, description)  # type: ignore[attr-defined]
