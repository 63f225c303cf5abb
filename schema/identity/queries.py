from __future__ import annotations

import strawberry

from schema.core.access import PUBLIC, access
from schema.core.context import Info
from schema.identity.loaders import load_users
from schema.identity.types import UserNode


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="Who is calling; null without a valid token.", extensions=[access(PUBLIC)])
    async def viewer(self, info: Info) -> UserNode | None:
        principal = info.context.principal
        if principal is None:
            return None
        row = await info.context.loaders(load_users).load(principal.user_id)
        return UserNode.from_row(row) if row else None
