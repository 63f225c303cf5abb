"""What a plugin's GraphQL fields import (`cosell_extend_schema`, docs/plugins.md "Adding
GraphQL fields"): one module, so that plugins never reach into cosell's internals.

    import strawberry
    from schema.plugin_api import AUTHENTICATED, Info, SchemaAdditions, access, own_partner_id

    @strawberry.type
    class AcmeQuery:
        @strawberry.field(extensions=[access(AUTHENTICATED)])
        async def acme_sync_status(self, info: Info) -> str: ...

    @hookimpl
    def cosell_extend_schema():
        return SchemaAdditions(queries=[AcmeQuery])

- Who may call a root field: `access(rule)` with `PUBLIC`, `AUTHENTICATED`, `STAFF`,
  `ADMIN` or `roles(Role.X, ...)` (required on every root field and mutation);
  `visible_to(rule)` on a nullable field of your type that only some roles may read.
- Who is calling: `principal(info)` (a `Principal` or None), `require_principal(info)`,
  `require_staff(info)`, `own_partner_id(info)` (a partner user's partner, None for staff).
- Which rows: the scoping functions (`partner_scope`, `opportunity_scope`, ... each
  `scope(principal)` is a Piccolo where-condition, None for everything) applied with
  `scoped(query, condition)`; cosell's own objects through their scoped loaders:
  `visible_partner(info, id)` / `visible_opportunity(info, id)` (None when the caller may
  not see it), and global ids with `partner_id_from(info, global_id)`.
- Refusals: raise `DomainError([Violation(code, message, field, rule)])` in your write
  and answer `await call_domain(write(...))` → (result, [UserError]); `Forbidden`,
  `Unauthenticated`, `InvalidArgument` for the request itself.
- Audit: every mutation is audited for you; `write_audit(info, name, arguments)` records
  something else a caller did (a reload started from a query, say).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable

from partners.infra import audit
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation
from partners.opportunities.scoping import opportunity_scope
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import NOTHING, partner_scope, scoped, user_scope
from schema.core.access import ADMIN, AUTHENTICATED, PUBLIC, STAFF, access, roles, visible_to
from schema.core.context import Context, Info
from schema.core.domain import call_domain
from schema.core.node import decode_node_id
from schema.core.errors import Forbidden, InvalidArgument, InvalidId, Unauthenticated, UserError
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.types import OpportunityNode
from schema.plugin_api.additions import SchemaAdditions

__all__ = [
    "ADMIN", "AUTHENTICATED", "Context", "DomainError", "Forbidden", "Info", "InvalidArgument", "InvalidId",
    "NOTHING", "NotFound", "OpportunityNode", "PUBLIC", "PartnerNode", "PermissionDenied", "Principal", "Role",
    "STAFF", "SchemaAdditions", "Unauthenticated", "UserError", "UserNode", "Violation", "access", "call_domain",
    "loader", "opportunity_id_from", "opportunity_scope", "own_partner_id", "partner_id_from", "partner_scope",
    "principal", "require_principal", "require_staff", "roles", "scoped", "user_errors", "user_scope",
    "visible_opportunity", "visible_partner", "visible_to", "write_audit",
]


def principal(info: Info) -> Principal | None:
    """Who is calling: None for an anonymous caller (only PUBLIC fields get one)."""
    return info.context.principal


def require_staff(info: Info) -> Principal:
    """The caller, who must be vendor staff: UNAUTHENTICATED / FORBIDDEN otherwise."""
    caller = require_principal(info)
    if not caller.is_staff:
        raise Forbidden("Not allowed for your role: vendor staff only.")
    return caller


def own_partner_id(info: Info) -> int | None:
    """A partner user's own partner (the only one they may see); None for staff."""
    caller = require_principal(info)
    return caller.partner_id if caller.is_partner_user else None


def partner_id_from(info: Info, value: str, field: str = "partnerId") -> int:
    """The row id of a `Partner` global id (an INVALID_ID refusal with `field` otherwise)."""
    return decode_node_id(info, value, PartnerNode, field)


def opportunity_id_from(info: Info, value: str, field: str = "opportunityId") -> int:
    """The row id of an `Opportunity` global id (an INVALID_ID refusal with `field` otherwise)."""
    return decode_node_id(info, value, OpportunityNode, field)


async def visible_partner(info: Info, partner_id: int) -> PartnerNode | None:
    """The partner if the caller may see it (staff: any; partner users: their own), else
    None; through the request's partner loader, batched with every other lookup."""
    return (await PartnerNode.resolve_nodes(info=info, node_ids=[str(partner_id)]))[0]


async def visible_opportunity(info: Info, opportunity_id: int) -> OpportunityNode | None:
    """The opportunity if the caller may see it (R9 for partner users), else None."""
    return (await OpportunityNode.resolve_nodes(info=info, node_ids=[str(opportunity_id)]))[0]


def loader(info: Info, load_fn: Callable[[Any, list], Awaitable[list]]):
    """The request's DataLoader for `load_fn(context, keys) -> values aligned to keys`: every
    key asked for in one turn of the event loop goes to one call (no N+1 in a list)."""
    return info.context.loaders(load_fn)


def user_errors(error: DomainError) -> list[UserError]:
    """A DomainError's violations as the UserErrors of a mutation payload."""
    return UserError.from_domain_error(error)


async def write_audit(info: Info, name: str, arguments: dict[str, Any], *,
                      targets: Iterable[tuple[str, int]] = ()) -> None:
    """Append an audit row for the caller (`name`, e.g. "acmeReloadDirectory", and its
    arguments, secrets redacted by key name). Mutations need not: they are audited."""
    call = audit.MutationCall(name, arguments, audit.Outcome(audit.OK), tuple(targets))
    await audit.record(info.context.principal, [call], info.context.request_id)
