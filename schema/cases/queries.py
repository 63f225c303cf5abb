from __future__ import annotations

import strawberry

from partners import business_days
from partners.cases import closing
from partners.accounts.tables import Account
from partners.cases.enums import CLOSED, EXEMPT_TYPES, CaseOrigin as OriginEnum, CaseStatus as StatusEnum
from partners.cases.queue import DUE_SQL, actionable, due_of
from partners.cases.rules import ESCALATION_TAG
from partners.cases.scoping import case_scope
from partners.cases.tables import PartnerCase
from partners.people.scoping import NOTHING, scoped
from partners.people.tables import Partner
from schema.accounts.types import AccountNode
from schema.cases.enums import CaseOrigin, CaseType
from schema.cases.types import CaseNode, CaseResolutionAction
from schema.core.access import AUTHENTICATED, STAFF, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.due_order import DueOrder, due_page
from schema.core.enums import CaseStatus, Region
from schema.core.filters import all_of
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode, UserNode


_DUE = DueOrder("d9", DUE_SQL, due_of)


@strawberry.input(description="All given criteria must match.")
class CaseFilter:
    status: CaseStatus | None = None
    case_type: CaseType | None = strawberry.field(default=None, name="type")
    closed: bool | None = strawberry.field(default=None, description="D10: one of the CLOSED_* statuses.")
    partner_id: strawberry.ID | None = None
    account_id: strawberry.ID | None = None
    advocate_id: strawberry.ID | None = strawberry.field(default=None, description="Held by this advocate.")
    pickup_overdue: bool | None = strawberry.field(default=None, description="D9: OPEN past pickupDueAt.")
    target_overdue: bool | None = strawberry.field(default=None, description="D14: not closed past targetDueAt, "
                                                   "not exempt.")
    close_overdue: bool | None = strawberry.field(default=None, description="D9/D14: not closed past closeDueAt, "
                                                  "not exempt.")
    overdue: bool | None = strawberry.field(default=None, description="pickupOverdue or closeOverdue.")
    exempt: bool | None = strawberry.field(default=None, description="D14: of a type exempt from the targets.")
    escalated: bool | None = strawberry.field(default=None, description='D15: the subject says "#advocate".')
    origin: CaseOrigin | None = strawberry.field(default=None, description="How the case came in (EMAIL: D15).")
    unmatched: bool | None = strawberry.field(default=None, description="D15: opened by an email nobody could match "
                                              "(no account, no partner): the SMB operations queue.")
    region: Region | None = strawberry.field(default=None, description="D15: routed to this region (its account's, "
                                             "else its partner's).")
    regions: list[Region] | None = strawberry.field(
        default=None, description="Routed to one of these regions (as `region`); an empty list matches nothing.")
    actionable_by_me: bool | None = strawberry.field(
        default=None, description="Issue 36, D9/D10: the cases you may take the next step on now (true), the next "
                                  "deadline first (`dueAt`): an advocate's are the OPEN queue (pick up within 24 "
                                  "hours) and the cases they hold (close within 15 days); an admin's every OPEN or "
                                  "held case. false: the others.")


def _negated(condition, wanted: bool | None):
    if wanted is None:
        return None
    return condition if wanted else PartnerCase.id.not_in(PartnerCase.select(PartnerCase.id).where(condition))


def _filter_condition(info: Info, f: CaseFilter | None):
    if f is None:
        return None
    at = business_days.now()
    closed = [s.value for s in CLOSED]
    counted = PartnerCase.status.not_in(closed) & PartnerCase.case_type.not_in([t.value for t in EXEMPT_TYPES])
    pickup = (PartnerCase.status == StatusEnum.OPEN.value) & (PartnerCase.pickup_due_at <= at)
    target = counted & (PartnerCase.target_due_at <= at)
    close = counted & (PartnerCase.close_due_at <= at)
    return all_of([
        PartnerCase.status == f.status.value if f.status else None,
        PartnerCase.case_type == f.case_type.value if f.case_type else None,
        _negated(PartnerCase.status.is_in(closed), f.closed),
        PartnerCase.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId")
        if f.partner_id else None,
        PartnerCase.account == decode_node_id(info, f.account_id, AccountNode, "filter.accountId")
        if f.account_id else None,
        PartnerCase.advocate == decode_node_id(info, f.advocate_id, UserNode, "filter.advocateId")
        if f.advocate_id else None,
        _negated(pickup, f.pickup_overdue),
        _negated(target, f.target_overdue),
        _negated(close, f.close_overdue),
        _negated(PartnerCase.id.is_in(PartnerCase.select(PartnerCase.id).where(pickup | close)), f.overdue),
        _negated(PartnerCase.case_type.is_in([t.value for t in EXEMPT_TYPES]), f.exempt),
        _negated(PartnerCase.subject.ilike(f"%{ESCALATION_TAG}%"), f.escalated),
        PartnerCase.origin == f.origin.value if f.origin else None,
        _negated((PartnerCase.origin == OriginEnum.EMAIL.value) & PartnerCase.account.is_null()
                 & PartnerCase.partner.is_null(), f.unmatched),
        _region(f.region.value) if f.region else None,
        None if f.regions is None else _regions(sorted({r.value for r in f.regions})),
        _negated(actionable(info.context.principal), f.actionable_by_me),
    ])


def _region(region: str):
    return _regions([region])


def _regions(regions: list[str]):
    if not regions:
        return NOTHING
    return PartnerCase.account.is_in(Account.select(Account.id).where(Account.region.is_in(regions))) | (
        PartnerCase.account.is_null() & PartnerCase.partner.is_in(
            Partner.select(Partner.id).where(Partner.region.is_in(regions))))


@strawberry.type
class CaseQuery:
    @strawberry.field(description="The SMB queue (D9–D14), oldest first (partner users: their partner's cases); "
                      "with `filter: {actionableByMe: true}` the next deadline first.",
                      extensions=[access(AUTHENTICATED)])
    async def cases(self, info: Info, first: int | None = None, after: str | None = None,
                    filter: CaseFilter | None = None) -> Connection[CaseNode]:
        condition = all_of([case_scope(info.context.principal), _filter_condition(info, filter)])
        if filter is not None and filter.actionable_by_me:
            return await due_page(info, PartnerCase, scoped(PartnerCase.select(), condition),
                                  scoped(PartnerCase.count(), condition), _DUE, first=first, after=after,
                                  to_node=CaseNode.from_row)
        query = scoped(PartnerCase.select(), condition).order_by(PartnerCase.opened_at).order_by(PartnerCase.id)
        return await paginate(info, query, scoped(PartnerCase.count(), condition), first=first, after=after,
                              to_node=CaseNode.from_row)

    @strawberry.field(description="D12: the resolution actions a case closes with (active ones).",
                      extensions=[access(STAFF)])
    async def case_resolution_actions(self, info: Info) -> list[CaseResolutionAction]:
        return [CaseResolutionAction(code=r["code"], label=r["label"], active=r["active"])
                for r in await closing.resolution_actions()]
