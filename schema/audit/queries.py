from __future__ import annotations

from datetime import datetime

import strawberry

from partners.infra.audit import audit_query
from schema.audit.types import AuditEntryNode
from schema.core.access import ADMIN, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info


@strawberry.input
class AuditLogFilter:
    actor: str | None = strawberry.field(default=None, description="The caller's email.")
    mutation: str | None = strawberry.field(default=None, description="A mutation name, e.g. revokeApiToken.")
    since: datetime | None = strawberry.field(default=None, description="Entries at or after this time.")


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Every mutation call, newest first (administrators only).", extensions=[access(ADMIN)])
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None, filter: AuditLogFilter | None = None
    ) -> Connection[AuditEntryNode]:
        f = filter or AuditLogFilter()
        select, count = audit_query(actor=f.actor, mutation=f.mutation, since=f.since)
        return await paginate(info, select, count, first=first, after=after, to_node=AuditEntryNode.from_row)
