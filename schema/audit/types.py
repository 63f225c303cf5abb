from __future__ import annotations

from datetime import datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.infra.tables import AuditEntry, AuditTarget
from partners.people.scoping import audit_scope
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.loaders import grouped
from schema.core.rows import int_ids, scoped_rows_by_ids


async def load_audit_entries(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(AuditEntry, audit_scope, context.principal, ids)


async def load_audit_targets(context, entry_ids: list[int]) -> list[list[dict]]:
    """The objects each entry names, for a whole page in one statement. The entries were read
    through the audit scope (administrators), so their targets are theirs to read."""
    ids = sorted(set(entry_ids))
    rows = await AuditTarget.select().where(AuditTarget.entry.is_in(ids)).order_by(AuditTarget.id) if ids else []
    return grouped(entry_ids, rows, "entry")


@strawberry.type(name="AuditTarget", description="An object an audit entry names: a Node type and its database id.")
class AuditTargetRef:
    type: str = strawberry.field(description="The Node type, e.g. Partner.")
    key: int = strawberry.field(description="The object's database id.")

    @strawberry.field(description="The object's global id (it may no longer exist).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(relay.to_base64(self.type, self.key))


@strawberry.type(name="AuditEntry", description="One mutation call: who, what, when, with which input, and how it ended.")
class AuditEntryNode(relay.Node):
    id: relay.NodeID[int]
    occurred_at: datetime
    actor: str = strawberry.field(description="Email of the caller; empty for anonymous calls.")
    actor_role: str
    actor_user_id: strawberry.Private[int | None]
    mutation: str = strawberry.field(description="The mutation field, e.g. createApiToken.")
    input_summary: str = strawberry.field(description="The arguments as JSON, secrets redacted, truncated.")
    result: str = strawberry.field(description="OK, USER_ERROR, REFUSED or INTERNAL_ERROR.")
    error_codes: list[str] = strawberry.field(description="UserError codes or the refusal's error code.")
    request_id: str

    @strawberry.field(description="The objects the call named: global ids in its input, the nodes of its "
                      "result and their partner (filter with `auditLog(filter: {target})`).")
    async def targets(self, info: Info) -> list[AuditTargetRef]:
        rows = await info.context.loaders(load_audit_targets).load(self.id)
        return [AuditTargetRef(type=r["target_type"], key=r["target_key"]) for r in rows]

    @classmethod
    def from_row(cls, row: dict) -> "AuditEntryNode":
        return cls(
            id=row["id"], occurred_at=row["occurred_at"], actor=row["actor"], actor_role=row["actor_role"],
            actor_user_id=row["actor_user_id"], mutation=row["mutation"], input_summary=row["input_summary"],
            result=row["result"], error_codes=[c for c in row["error_codes"].split(",") if c],
            request_id=row["request_id"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_audit_entries).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(AuditEntryNode, AuditEntry, audit_scope, "administrators only")
