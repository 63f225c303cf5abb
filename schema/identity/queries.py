from __future__ import annotations

import strawberry

from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.people.scoping import scoped, user_scope
from partners.people.tables import User
from schema.core.access import PUBLIC, access
from schema.core.context import Info
from schema.core.loaders import joined_rows
from schema.core.selection import asks_for
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import UserNode

_VIEWER_WITH_PARTNER = PreparedQuery(lambda who, ids: scoped(
    User.select(*User.all_columns(), *User.partner.all_columns()), user_scope(who)).where(any_of(User.id, ids)))


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="Who is calling; null without a valid token.", extensions=[access(PUBLIC)])
    async def viewer(self, info: Info) -> UserNode | None:
        principal = info.context.principal
        if principal is None:
            return None
        loaders = info.context.loaders
        if principal.partner_id is not None and asks_for(info, "partner"):
            # A user may always read their own partner: it comes with the user (one join).
            try:
                rows = await _VIEWER_WITH_PARTNER.run(principal, [principal.user_id])
            except Exception:  # noqa: BLE001 - read apart below, so a fault stays at its own field's path
                rows = []
            loaders(load_partners).prime_many(joined_rows(rows, "partner"))
            loaders(load_users).prime_many({r["id"]: r for r in rows})
        row = await loaders(load_users).load(principal.user_id)
        return UserNode.from_row(row) if row else None
