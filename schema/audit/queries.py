from __future__ import annotations

from datetime import datetime

import strawberry

from partners.infra.audit import audit_query
from schema.audit.types import AuditEntryNode
from schema.core.access import ADMIN, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.errors import InvalidArgument
from schema.core.node import decode_node_id, node_type, parse_global_id
from schema.core.rows import database_id
from schema.identity.types import UserNode


@strawberry.input(description="All given criteria must match.")
class AuditLogFilter:
    actor: str | None = strawberry.field(default=None, description="The caller's email.")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="The caller: a User's global id.")
    mutation: str | None = strawberry.field(default=None, description="A mutation name, e.g. revokeApiToken.")
    since: datetime | None = strawberry.field(default=None, description="Entries at or after this time.")
    target: strawberry.ID | None = strawberry.field(
        default=None, description="Entries naming this object (any Node's global id): in their input, in their "
        "result, or as the partner of an object in their result.")
    target_type: str | None = strawberry.field(
        default=None, description="A Node type, e.g. Partner: entries naming an object of that type; with "
        "`targetKey`, one object (the same as `target`).")
    target_key: int | None = strawberry.field(default=None, description="The object's database id, with `targetType`.")


def _target(info: Info, f: AuditLogFilter) -> tuple[str | None, int | None]:
    if f.target is not None:
        if f.target_type is not None or f.target_key is not None:
            raise InvalidArgument("Give `target`, or `targetType` (and `targetKey`), not both.",
                                  field="filter.target")
        gid = parse_global_id(f.target, "filter.target")
        key = database_id(gid.node_id)
        if node_type(info, gid.type_name) is None or key is None:
            raise InvalidArgument(f"{f.target!r} is not the id of an object.", field="filter.target")
        return gid.type_name, key
    if f.target_key is not None and f.target_type is None:
        raise InvalidArgument("`targetKey` needs `targetType`.", field="filter.targetKey")
    if f.target_type is not None and node_type(info, f.target_type.strip()) is None:
        raise InvalidArgument(f"{f.target_type!r} is not a Node type.", field="filter.targetType")
    return (f.target_type.strip() if f.target_type else None), f.target_key


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Every mutation call, newest first (administrators only).", extensions=[access(ADMIN)])
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None, filter: AuditLogFilter | None = None
    ) -> Connection[AuditEntryNode]:
        f = filter or AuditLogFilter()
        target_type, target_key = _target(info, f)
        actor_user_id = decode_node_id(info, f.actor_id, UserNode, "filter.actorId") if f.actor_id else None
        select, count = audit_query(actor=f.actor, mutation=f.mutation, since=f.since, actor_user_id=actor_user_id,
                                    target_type=target_type, target_key=target_key)
        return await paginate(info, select, count, first=first, after=after, to_node=AuditEntryNode.from_row)
