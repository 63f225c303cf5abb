from __future__ import annotations

import strawberry

from partners import business_days
from partners.cases.enums import CaseStatus as StatusEnum
from partners.cases.scoping import case_scope
from partners.cases.tables import PartnerCase
from partners.people.scoping import scoped
from schema.cases.types import CaseNode
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.enums import CaseStatus
from schema.core.filters import all_of
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode, UserNode


@strawberry.input(description="All given criteria must match.")
class CaseFilter:
    status: CaseStatus | None = None
    partner_id: strawberry.ID | None = None
    advocate_id: strawberry.ID | None = strawberry.field(default=None, description="Held by this advocate.")
    pickup_overdue: bool | None = strawberry.field(default=None, description="D9: OPEN past pickupDueAt.")
    close_overdue: bool | None = strawberry.field(default=None, description="D9: not CLOSED past closeDueAt.")


def _filter_condition(info: Info, f: CaseFilter | None):
    if f is None:
        return None
    at = business_days.now()
    pickup = (PartnerCase.status == StatusEnum.OPEN.value) & (PartnerCase.pickup_due_at <= at)
    close = (PartnerCase.status != StatusEnum.CLOSED.value) & (PartnerCase.close_due_at <= at)
    return all_of([
        PartnerCase.status == f.status.value if f.status else None,
        PartnerCase.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId")
        if f.partner_id else None,
        PartnerCase.advocate == decode_node_id(info, f.advocate_id, UserNode, "filter.advocateId")
        if f.advocate_id else None,
        None if f.pickup_overdue is None else (
            pickup if f.pickup_overdue else PartnerCase.id.not_in(PartnerCase.select(PartnerCase.id).where(pickup))),
        None if f.close_overdue is None else (
            close if f.close_overdue else PartnerCase.id.not_in(PartnerCase.select(PartnerCase.id).where(close))),
    ])


@strawberry.type
class CaseQuery:
    @strawberry.field(description="The SMB queue of Partner Opp cases (D9), oldest first (partner users: their "
                      "partner's).", extensions=[access(AUTHENTICATED)])
    async def cases(self, info: Info, first: int | None = None, after: str | None = None,
                    filter: CaseFilter | None = None) -> Connection[CaseNode]:
        condition = all_of([case_scope(info.context.principal), _filter_condition(info, filter)])
        query = scoped(PartnerCase.select(), condition).order_by(PartnerCase.opened_at).order_by(PartnerCase.id)
        return await paginate(info, query, scoped(PartnerCase.count(), condition), first=first, after=after,
                              to_node=CaseNode.from_row)
