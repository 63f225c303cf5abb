from __future__ import annotations

import strawberry

from partners.accounts.scoping import account_scope
from partners.accounts.tables import Account
from partners.people.scoping import scoped
from schema.accounts.types import AccountNode
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.enums import AccountType, Region, ScreeningStatus, Segment
from schema.core.filters import all_of, name_contains
from schema.core.node import decode_node_id
from schema.identity.types import UserNode


@strawberry.input(description="All given criteria must match.")
class AccountFilter:
    segment: Segment | None = None
    region: Region | None = None
    type: AccountType | None = None
    screening_status: ScreeningStatus | None = None
    owner_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="Case-insensitive text in the name.")
    global_only: bool | None = strawberry.field(default=None, description="Only accounts without a parent.")


def account_filter_condition(info: Info, f: AccountFilter | None):
    if f is None:
        return None
    return all_of([
        Account.segment == f.segment.value if f.segment else None,
        Account.region == f.region.value if f.region else None,
        Account.account_type == f.type.value if f.type else None,
        Account.screening_status == f.screening_status.value if f.screening_status else None,
        Account.owner == decode_node_id(info, f.owner_id, UserNode, "filter.ownerId") if f.owner_id else None,
        name_contains(Account.name, f.search) if f.search else None,
        Account.parent.is_null() if f.global_only else None,
    ])


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Accounts you may see (none for partner users), by name.",
                      extensions=[access(AUTHENTICATED)])
    async def accounts(
        self, info: Info, first: int | None = None, after: str | None = None, filter: AccountFilter | None = None
    ) -> Connection[AccountNode]:
        condition = all_of([account_scope(info.context.principal), account_filter_condition(info, filter)])
        query = scoped(Account.select(), condition).order_by(Account.name).order_by(Account.id)
        count = scoped(Account.count(), condition)
        return await paginate(info, query, count, first=first, after=after, to_node=AccountNode.from_row)
