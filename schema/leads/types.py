"""Leads (P11) as GraphQL types; nested fields load through scoped DataLoaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners import business_days
from partners.leads.queue import due_of
from partners.leads.scoping import lead_scope
from partners.leads.tables import Lead
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.due_order import hours_late, hours_left
from schema.core.enums import LeadAction, LeadRecallReason, LeadStatus, Region
from schema.core.rows import int_ids
from schema.deal_registrations.loaders import load_deal_registrations
from schema.deal_registrations.types import DealRegistrationNode
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.accounts.loaders import load_accounts
from schema.accounts.types import AccountNode
from schema.core.money import MoneyType
from schema.leads.enums import DuplicateReason, LeadDeadline, LeadExtensionStatus, LeadPriority
from schema.leads.loaders import (
    load_account_names,
    load_lead_duplicates,
    load_lead_extensions,
    load_lead_history,
    load_leads,
)
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


@strawberry.type(description="One change of a lead (P11); partner users see their own share's only.")
class LeadChange:
    event: str = strawberry.field(description="CREATED, SHARED, ACCEPTED, REJECTED, CONTACTED, MEETING, CONVERTED, "
                                  "DISQUALIFIED, RECALLED, UPDATED, ARCHIVED, UNARCHIVED, TAKEN_BACK, REASSIGNED, "
                                  "PARTNER_CONTACT_SET, EXTENSION_REQUESTED, EXTENSION_APPROVED, EXTENSION_DENIED.")
    note: str
    occurred_at: datetime
    actor_id: strawberry.Private[int | None]
    deal_registration_id: strawberry.Private[int | None] = None
    opportunity_id: strawberry.Private[int | None] = None

    @strawberry.field(description="Null for the system (recall), a plugin, or a user you may not see.")
    async def actor(self, info: Info) -> UserNode | None:
        return await _user(info, self.actor_id)

    @strawberry.field(description="The deal registration the lead was linked to at this change: the link an "
                      "answer or action made, or the one a rejection or recall cleared (the lead no longer "
                      "carries a former partner's links). Null when none, or one you may not see.")
    async def deal_registration(self, info: Info) -> DealRegistrationNode | None:
        if self.deal_registration_id is None:
            return None
        row = await info.context.loaders(load_deal_registrations).load(self.deal_registration_id)
        return DealRegistrationNode.from_row(row) if row else None

    @strawberry.field(description="The opportunity the lead was linked to at this change, as for "
                      "`dealRegistration`; R9 applies.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.opportunity_id is None:
            return None
        row = await info.context.loaders(load_opportunities).load(self.opportunity_id)
        return OpportunityNode.from_row(row) if row else None


@strawberry.type(name="LeadExtensionRequest", description="A partner's request for more time on a P11 deadline "
                 "of its share, and the channel manager's decision (partner users: their own partner's).")
class LeadExtensionRequest:
    deadline: LeadDeadline
    days: int = strawberry.field(description="Business days asked for (1 to 5).")
    reason: str
    requested_at: datetime
    due_at: datetime = strawberry.field(description="The deadline when asked.")
    status: LeadExtensionStatus
    decided_at: datetime | None
    granted_days: int | None
    new_due_at: datetime | None = strawberry.field(description="The deadline the approval set.")
    note: str = strawberry.field(description="The decision's note.")
    share_count: int = strawberry.field(description="The share it was asked in (Lead.shareCount then).")
    requested_by_id: strawberry.Private[int | None]
    decided_by_id: strawberry.Private[int | None]

    @strawberry.field
    async def requested_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.requested_by_id)

    @strawberry.field(description="Null for partner users (staff are not visible to them).")
    async def decided_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.decided_by_id)

    @classmethod
    def from_row(cls, r: dict) -> "LeadExtensionRequest":
        return cls(deadline=LeadDeadline(r["deadline"]), days=r["days"], reason=r["reason"],
                   requested_at=r["requested_at"], due_at=r["due_at"], status=LeadExtensionStatus(r["status"]),
                   decided_at=r["decided_at"], granted_days=r["granted_days"], new_due_at=r["new_due_at"],
                   note=r["note"], share_count=r["share_count"], requested_by_id=r["requested_by"],
                   decided_by_id=r["decided_by"])


@strawberry.type(name="PossibleDuplicate", description="An open lead that looks like this one (a warning: "
                 "nothing is refused). Same contact email, or same company and a similar contact.")
class PossibleDuplicate:
    reasons: list[DuplicateReason]
    lead_id: strawberry.Private[int]

    @strawberry.field(description="Null if you may not see it.")
    async def lead(self, info: Info) -> "LeadNode | None":
        row = await info.context.loaders(load_leads).load(self.lead_id)
        return LeadNode.from_row(row) if row else None


@strawberry.type(description="A day that is not a business day in a region (P11).")
class RegionHoliday:
    region: Region
    day: date
    name: str


@strawberry.type(name="Lead", description="A lead, shared with one partner at a time (P11).")
class LeadNode(relay.Node):
    id: relay.NodeID[int]
    company: str
    contact_name: str
    contact_email: str
    region: Region
    country: str
    product_interest: str
    notes: str
    source: str = strawberry.field(description="Where it came from (staff, a plugin's name, a web form …).")
    status: LeadStatus = strawberry.field(description="P11; NEW leads are shareable.")
    shared_at: datetime | None
    accept_due_at: datetime | None = strawberry.field(
        description="P11: accept or reject by then (5 business days after sharing: Mon–Fri less the region's "
                    "holidays, UTC dates), or it is recalled.")
    action_due_at: datetime | None = strawberry.field(
        description="P11: record an action by then (10 business days after sharing), or it is recalled.")
    accepted_at: datetime | None
    action: LeadAction | None = strawberry.field(description="The latest action recorded.")
    acted_at: datetime | None
    reason: str = strawberry.field(description="The latest rejection, disqualification or recall reason.")
    recall_reason: LeadRecallReason | None = strawberry.field(description="Why it was last recalled (P11).")
    recall_count: int
    share_count: int = strawberry.field(description="How many times it has been shared.")
    version: int = strawberry.field(description="Goes up by one with every change; send it back as expectedVersion.")
    created_at: datetime
    priority: LeadPriority
    archived_at: datetime | None = strawberry.field(description="Archived leads leave `leads` unless "
                                                    "`filter.archived` asks for them.")
    extension_pending: bool = strawberry.field(description="The partner asked for more time and waits for a "
                                               "decision; the recall job waits too (P11).")
    row: strawberry.Private[dict]

    @strawberry.field(description="The expected deal size, exact, in its currency.")
    def deal_size(self) -> MoneyType | None:
        return MoneyType.from_parts(self.row["deal_size"], self.row["deal_size_currency"] or "")

    @strawberry.field(description="The end customer's account name (readable by all who see the lead).")
    async def account_name(self, info: Info) -> str | None:
        if self.row["account"] is None:
            return None
        return await info.context.loaders(load_account_names).load(self.row["account"])

    @strawberry.field(description="The end customer's account: null for partner users, who see only "
                      "accountName.")
    async def account(self, info: Info) -> AccountNode | None:
        if self.row["account"] is None:
            return None
        row = await info.context.loaders(load_accounts).load(self.row["account"])
        return AccountNode.from_row(row) if row else None

    @strawberry.field(description="The named person at the partner holding the lead (one of its users).")
    async def partner_contact(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["partner_contact"])

    @strawberry.field(description="Requests for more time, oldest first (partner users: their own partner's).")
    async def extension_requests(self, info: Info) -> list[LeadExtensionRequest]:
        rows = await info.context.loaders(load_lead_extensions).load(self.id)
        return [LeadExtensionRequest.from_row(r) for r in rows]

    @strawberry.field(description="Open leads that look like this one (same contact email, or same company and "
                      "a similar contact), among those you see; oldest first.")
    async def possible_duplicates(self, info: Info) -> list[PossibleDuplicate]:
        found = await info.context.loaders(load_lead_duplicates).load(self.id)
        return [PossibleDuplicate(reasons=[DuplicateReason(r) for r in d.reasons], lead_id=d.lead_id) for d in found]

    @strawberry.field(description="Issue 36, P11: the deadline the partner must meet next (acceptDueAt while "
                      "SHARED, actionDueAt while ACCEPTED), else null; `actionableByMe` lists soonest first.")
    def due_at(self) -> datetime | None:
        return due_of(self.row)

    @strawberry.field(description="Hours (calendar time; the deadline itself counts business days) left until "
                      "dueAt, to two decimals; 0 once it passed, null without dueAt.")
    def due_in_hours(self) -> float | None:
        return hours_left(due_of(self.row))

    @strawberry.field(description="Hours since dueAt passed, to two decimals; null while not late or without dueAt.")
    def overdue_by_hours(self) -> float | None:
        return hours_late(due_of(self.row))

    @strawberry.field(description="P11: SHARED and past acceptDueAt (the recall job takes it back).")
    def accept_overdue(self) -> bool:
        return self.status is LeadStatus.SHARED and self.accept_due_at is not None and \
            self.accept_due_at <= business_days.now()

    @strawberry.field(description="P11: ACCEPTED and past actionDueAt (the recall job takes it back).")
    def action_overdue(self) -> bool:
        return self.status is LeadStatus.ACCEPTED and self.action_due_at is not None and \
            self.action_due_at <= business_days.now()

    @strawberry.field(description="The partner it is shared with now.")
    async def partner(self, info: Info) -> PartnerNode | None:
        if self.row["partner"] is None:
            return None
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="Null for a plugin, or for partner users (staff are not visible to them).")
    async def created_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["created_by"])

    @strawberry.field
    async def shared_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["shared_by"])

    @strawberry.field(description="The deal registration it became (accepting or converting links it); a "
                      "rejection, recall or new share clears it (`history` keeps it).")
    async def deal_registration(self, info: Info) -> DealRegistrationNode | None:
        if self.row["deal_registration"] is None:
            return None
        row = await info.context.loaders(load_deal_registrations).load(self.row["deal_registration"])
        return DealRegistrationNode.from_row(row) if row else None

    @strawberry.field(description="The opportunity it became; R9 applies. Cleared as `dealRegistration`.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.row["opportunity"] is None:
            return None
        row = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return OpportunityNode.from_row(row) if row else None

    @strawberry.field(description="Every change, oldest first (partner users: their own share's).")
    async def history(self, info: Info) -> list[LeadChange]:
        rows = await info.context.loaders(load_lead_history).load(self.id)
        return [LeadChange(event=r["event"], note=r["note"], occurred_at=r["occurred_at"], actor_id=r["actor"],
                           deal_registration_id=r["deal_registration"], opportunity_id=r["opportunity"])
                for r in rows]

    @classmethod
    def from_row(cls, row: dict) -> "LeadNode":
        return cls(
            id=row["id"], company=row["company"], contact_name=row["contact_name"],
            contact_email=row["contact_email"], region=Region(row["region"]), country=row["country"],
            product_interest=row["product_interest"], notes=row["notes"], source=row["source"],
            status=LeadStatus(row["status"]), shared_at=row["shared_at"], accept_due_at=row["accept_due_at"],
            action_due_at=row["action_due_at"], accepted_at=row["accepted_at"],
            action=LeadAction(row["action"]) if row["action"] else None, acted_at=row["acted_at"],
            reason=row["reason"], recall_reason=LeadRecallReason(row["recall_reason"]) if row["recall_reason"] else None,
            recall_count=row["recall_count"], share_count=row["share_count"], version=row["version"],
            created_at=row["created_at"], priority=LeadPriority(row["priority"]), archived_at=row["archived_at"],
            extension_pending=row["extension_pending"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_leads).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(LeadNode, Lead, lead_scope, "staff: every lead; partner users: the leads shared with their partner now")
