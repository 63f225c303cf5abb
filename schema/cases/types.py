"""Partner Opp cases (D9) as GraphQL types; nested fields load through scoped DataLoaders."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners import business_days
from partners.cases import service
from partners.cases.scoping import case_scope
from partners.cases.tables import PartnerCase
from schema.core.access import STAFF, node_access, visible_to
from schema.core.context import Info
from schema.core.enums import CaseStatus
from schema.core.rows import int_ids
from schema.cases.loaders import load_case_comments, load_cases
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


@strawberry.type(description="A comment on a case (D9); partner users read public ones only.")
class CaseComment:
    body: str
    internal: bool = strawberry.field(description="Vendor staff only; never shown to partner users.")
    created_at: datetime
    author_id: strawberry.Private[int]

    @strawberry.field(description="Null when you may not see the author (staff, for partner users).")
    async def author(self, info: Info) -> UserNode | None:
        return await _user(info, self.author_id)

    @classmethod
    def from_row(cls, row: dict) -> "CaseComment":
        return cls(body=row["body"], internal=row["internal"], created_at=row["created_at"], author_id=row["author"])


@strawberry.type(name="Case", description='A "Partner Opp" case in the SMB queue (D9).')
class CaseNode(relay.Node):
    id: relay.NodeID[int]
    subject: str = strawberry.field(description='Starts with "Partner Opp" (D9).')
    description: str
    account_name: str = strawberry.field(description="The account it concerns, when not an opportunity.")
    status: CaseStatus
    opened_at: datetime
    pickup_due_at: datetime = strawberry.field(description="D9: picked up within 24 hours of opening.")
    close_due_at: datetime = strawberry.field(description="D9: closed within 15 days of opening.")
    picked_up_at: datetime | None
    closed_at: datetime | None
    resolution: str
    version: int = strawberry.field(description="Goes up by one with every change; send it back as expectedVersion.")
    row: strawberry.Private[dict]

    @strawberry.field(description="D9: still OPEN past pickupDueAt.")
    def pickup_overdue(self) -> bool:
        return service.pickup_overdue(self.row, business_days.now())

    @strawberry.field(description="D9: not CLOSED past closeDueAt.")
    def close_overdue(self) -> bool:
        return service.close_overdue(self.row, business_days.now())

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field
    async def opened_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["opened_by"])

    @strawberry.field(description="The SMB advocate holding it (null for partner users, who do not see staff).")
    async def advocate(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["advocate"])

    @strawberry.field(description="The opportunity it concerns; R9 applies.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.row["opportunity"] is None:
            return None
        row = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return OpportunityNode.from_row(row) if row else None

    @strawberry.field(description="Oldest first; partner users read the public ones only.")
    async def comments(self, info: Info) -> list[CaseComment]:
        return [CaseComment.from_row(r) for r in await info.context.loaders(load_case_comments).load(self.id)]

    @strawberry.field(description="How many internal comments (staff only, D9); null for partner users.",
                      extensions=[visible_to(STAFF)])
    async def internal_comment_count(self, info: Info) -> int | None:
        return sum(1 for r in await info.context.loaders(load_case_comments).load(self.id) if r["internal"])

    @classmethod
    def from_row(cls, row: dict) -> "CaseNode":
        return cls(
            id=row["id"], subject=row["subject"], description=row["description"], account_name=row["account_name"],
            status=CaseStatus(row["status"]), opened_at=row["opened_at"], pickup_due_at=row["pickup_due_at"],
            close_due_at=row["close_due_at"], picked_up_at=row["picked_up_at"], closed_at=row["closed_at"],
            resolution=row["resolution"], version=row["version"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_cases).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(CaseNode, PartnerCase, case_scope, "staff: the whole SMB queue; partner users: their partner's cases")
