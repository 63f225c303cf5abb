"""Cases (D9–D14) as GraphQL types; nested fields load through scoped DataLoaders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

import strawberry
from strawberry import relay

from partners import business_days
from partners.cases import rules
from partners.cases.queue import due_of
from partners.cases.enums import CaseOrigin as OriginEnum, CaseStatus as StatusEnum, CaseType as TypeEnum
from partners.cases.scoping import case_scope
from partners.cases.service import OPEN_STAGES
from partners.cases.tables import PartnerCase
from schema.accounts.loaders import load_accounts, load_contacts
from schema.accounts.types import AccountNode, ContactNode
from schema.cases.attachment_type import CaseAttachment
from schema.cases.messages import CaseMessage
from schema.cases.enums import CaseHistoryEvent, CaseOrigin, CaseType
from schema.cases.loaders import (
    load_case_attachments, load_case_comments, load_case_history, load_case_messages, load_cases, load_customer_admins,
)
from schema.core.access import STAFF, node_access, visible_to
from schema.core.context import Info
from schema.core.due_order import hours_late, hours_left
from schema.core.enums import CaseStatus, Region
from schema.core.rows import int_ids
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


async def _contact(info: Info, contact_id: int | None) -> ContactNode | None:
    if contact_id is None:
        return None
    row = await info.context.loaders(load_contacts).load(contact_id)
    return ContactNode.from_row(row) if row else None


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


@strawberry.type(description="One step of a case's history (vendor staff only): who, when, from what to what, why "
                 "(D10's reasons for reassigning and reopening).")
class CaseHistoryEntry:
    event: CaseHistoryEvent
    from_status: str
    to_status: str
    reason: str
    at: datetime
    row: strawberry.Private[dict]

    @strawberry.field
    async def actor(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["actor"])

    @strawberry.field
    async def from_owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["from_owner"])

    @strawberry.field
    async def to_owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["to_owner"])

    @classmethod
    def from_row(cls, row: dict) -> "CaseHistoryEntry":
        return cls(event=CaseHistoryEvent(row["event"]), from_status=row["from_status"], to_status=row["to_status"],
                   reason=row["reason"], at=row["at"], row=row)


@strawberry.type(description="D12: a value of the resolution-action dictionary.")
class CaseResolutionAction:
    code: str
    label: str
    active: bool


@strawberry.type(name="Case", description="A case in the SMB queue (D9–D14): from a partner (\"Partner Opp\"), a "
                 "vendor employee or an email.")
class CaseNode(relay.Node):
    id: relay.NodeID[int]
    subject: str = strawberry.field(description='A partner\'s starts with "Partner Opp" (D9); "#advocate" escalates '
                                    "it (D15).")
    description: str = strawberry.field(description="Plain text.")
    account_name: str = strawberry.field(description="The account it concerns by name (a partner's case).")
    status: CaseStatus
    case_type: CaseType = strawberry.field(name="type", description="D14.")
    origin: CaseOrigin
    opened_at: datetime
    pickup_due_at: datetime = strawberry.field(description="D9: picked up within 24 hours of opening.")
    target_due_at: datetime = strawberry.field(description="D14: resolved within 7 days of opening (target).")
    close_due_at: datetime = strawberry.field(description="D9/D14: closed within 15 days of opening at most.")
    picked_up_at: datetime | None
    closed_at: datetime | None = strawberry.field(description="D10: set by closing.")
    next_steps: str = strawberry.field(description='D11: "YYYY-MM-DD INITIALS what", mandatory once in progress.')
    next_steps_date: date | None = strawberry.field(description="D11.")
    waiting_on: str = strawberry.field(description="D10: the business team a WAITING case depends on.")
    escalated_at: datetime | None = strawberry.field(description='D15: when "#advocate" was added.')
    resolution_action: str = strawberry.field(description="D12: a code of caseResolutionActions.")
    resolution: str
    version: int = strawberry.field(description="Goes up by one with every change; send it back as expectedVersion.")
    row: strawberry.Private[dict]

    @strawberry.field(description="Issue 36: the deadline of the step it waits for: pickupDueAt while OPEN (D9), "
                      "closeDueAt while held (IN_PROGRESS, WAITING), else null; `actionableByMe` lists soonest first.")
    def due_at(self) -> datetime | None:
        return due_of(self.row)

    @strawberry.field(description="Hours left until dueAt, to two decimals; 0 once it passed, null without dueAt.")
    def due_in_hours(self) -> float | None:
        return hours_left(due_of(self.row))

    @strawberry.field(description="Hours since dueAt passed, to two decimals; null while not late or without dueAt.")
    def overdue_by_hours(self) -> float | None:
        return hours_late(due_of(self.row))

    @strawberry.field(description="D9: still OPEN past pickupDueAt.")
    def pickup_overdue(self) -> bool:
        return rules.pickup_overdue(self.row, business_days.now())

    @strawberry.field(description="D14: not closed past targetDueAt (7 days); never for exempt types.")
    def target_overdue(self) -> bool:
        return rules.target_overdue(self.row, business_days.now())

    @strawberry.field(description="D9/D14: not closed past closeDueAt (15 days); never for exempt types.")
    def close_overdue(self) -> bool:
        return rules.close_overdue(self.row, business_days.now())

    @strawberry.field(description="pickupOverdue or closeOverdue.")
    def overdue(self) -> bool:
        return rules.overdue(self.row, business_days.now())

    @strawberry.field(description="D14: a type exempt from the 7/15-day targets.")
    def exempt(self) -> bool:
        return rules.is_exempt(self.row["case_type"])

    @strawberry.field(description="D15: the subject says \"#advocate\".")
    def escalated(self) -> bool:
        return rules.is_escalated(self.row["subject"])

    @strawberry.field(description="D10: from when it may close as CLOSED_UNRESPONSIVE (15 days after the first "
                      "attempt to reach the customer: its first Next Steps); null before pick-up.")
    def unresponsive_from(self) -> datetime | None:
        since = self.row["contact_attempts_since"]
        return since + timedelta(days=rules.UNRESPONSIVE_DAYS) if since else None

    @strawberry.field(description="D14: a High Value Account case stays open until this day (the end of the fiscal "
                      "year it was opened in) unless closed as REQUEST_NOT_POSSIBLE; null for other types.")
    def stays_open_until(self, info: Info) -> date | None:
        if self.row["case_type"] != TypeEnum.HIGH_VALUE_ACCOUNT.value:
            return None
        return rules.fiscal_year_end(self.row["opened_at"].date(), info.context.settings.fiscal_year_start_month)

    @strawberry.field(description="D13: the linked open opportunity's close date is in the past (case writes are "
                      "refused until it moves); false without one, or when you may not see it.")
    async def opportunity_close_date_past(self, info: Info) -> bool:
        if self.row["opportunity"] is None or StatusEnum(self.row["status"]) not in (
                StatusEnum.OPEN, StatusEnum.IN_PROGRESS, StatusEnum.WAITING):
            return False
        opp = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return bool(opp and opp["stage"] in OPEN_STAGES and opp["close_date"] is not None
                    and opp["close_date"] < business_days.now().date())

    @strawberry.field(description="D12: feedback given at closing (\"NA\" when none); vendor staff only.",
                      extensions=[visible_to(STAFF)])
    def feedback(self) -> str | None:
        return self.row["feedback"]

    @strawberry.field(description="D11: the lead on the case (a person not yet a contact); vendor staff only.",
                      extensions=[visible_to(STAFF)])
    def lead_name(self) -> str | None:
        return self.row["lead_name"]

    @strawberry.field(description="D11: the lead's email; vendor staff only.", extensions=[visible_to(STAFF)])
    def lead_email(self) -> str | None:
        return self.row["lead_email"]

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        if self.row["partner"] is None:
            return None
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="Null for a case from an email (D15).")
    async def opened_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["opened_by"])

    @strawberry.field(description="D10: its owner, the SMB advocate holding it (null for partner users, who do not "
                      "see staff).")
    async def advocate(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["advocate"])

    @strawberry.field(description="The opportunity it concerns (D13); R9 applies.")
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.row["opportunity"] is None:
            return None
        row = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return OpportunityNode.from_row(row) if row else None

    @strawberry.field(description="The account (null for partner users, who read no account).")
    async def account(self, info: Info) -> AccountNode | None:
        if self.row["account"] is None:
            return None
        row = await info.context.loaders(load_accounts).load(self.row["account"])
        return AccountNode.from_row(row) if row else None

    @strawberry.field(description="D11: the main contact, one of the account's.")
    async def contact(self, info: Info) -> ContactNode | None:
        return await _contact(info, self.row["contact"])

    @strawberry.field(description="D13: the customer's admin contact on the case's account; vendor staff only.")
    async def customer_admin_contact(self, info: Info) -> ContactNode | None:
        if self.row["account"] is None:
            return None
        row = await info.context.loaders(load_customer_admins).load(self.row["account"])
        return await _contact(info, row["contact"]) if row else None

    @strawberry.field(description="D10: the case a CLOSED_DUPLICATE case duplicates.")
    async def duplicate_of(self, info: Info) -> "CaseNode | None":
        if self.row["duplicate_of"] is None:
            return None
        row = await info.context.loaders(load_cases).load(self.row["duplicate_of"])
        return CaseNode.from_row(row) if row else None

    @strawberry.field(description="Oldest first; partner users read the public ones only.")
    async def comments(self, info: Info) -> list[CaseComment]:
        return [CaseComment.from_row(r) for r in await info.context.loaders(load_case_comments).load(self.id)]

    @strawberry.field(description="How many internal comments (staff only, D9); null for partner users.",
                      extensions=[visible_to(STAFF)])
    async def internal_comment_count(self, info: Info) -> int | None:
        return sum(1 for r in await info.context.loaders(load_case_comments).load(self.id) if r["internal"])

    @strawberry.field(description="Oldest first; vendor staff only (empty for partner users).")
    async def history(self, info: Info) -> list[CaseHistoryEntry]:
        return [CaseHistoryEntry.from_row(r) for r in await info.context.loaders(load_case_history).load(self.id)]

    @strawberry.field(description="Oldest first; partner users read the public ones only.")
    async def attachments(self, info: Info) -> list[CaseAttachment]:
        return [CaseAttachment.from_row(r) for r in await info.context.loaders(load_case_attachments).load(self.id)]

    @strawberry.field(description="D15: the emails of the case's thread, oldest first (partner users: those of their "
                      "partner's cases, never vendor staff's).")
    async def messages(self, info: Info) -> list[CaseMessage]:
        return [CaseMessage.from_row(r) for r in await info.context.loaders(load_case_messages).load(self.id)]

    @strawberry.field(description="D15: the region the case is routed to: its account's (else its partner's); null "
                      "for an email nobody could match (SMB operations route it) and for partner users.",
                      extensions=[visible_to(STAFF)])
    async def region(self, info: Info) -> Region | None:
        if self.row["account"] is not None:
            row = await info.context.loaders(load_accounts).load(self.row["account"])
            return Region(row["region"]) if row else None
        if self.row["partner"] is not None:
            row = await info.context.loaders(load_partners).load(self.row["partner"])
            return Region(row["region"]) if row else None
        return None

    @strawberry.field(description="D15: opened by an email whose sender matched no contact, partner or account (the "
                      "SMB operations queue) and not routed since.")
    def unmatched(self) -> bool:
        return (self.row["origin"] == OriginEnum.EMAIL.value and self.row["account"] is None
                and self.row["partner"] is None)

    @classmethod
    def from_row(cls, row: dict) -> "CaseNode":
        return cls(
            id=row["id"], subject=row["subject"], description=row["description"], account_name=row["account_name"],
            status=CaseStatus(row["status"]), case_type=CaseType(row["case_type"]), origin=CaseOrigin(row["origin"]),
            opened_at=row["opened_at"], pickup_due_at=row["pickup_due_at"],
            target_due_at=row["target_due_at"] or row["opened_at"], close_due_at=row["close_due_at"],
            picked_up_at=row["picked_up_at"], closed_at=row["closed_at"], next_steps=row["next_steps"],
            next_steps_date=row["next_steps_date"], waiting_on=row["waiting_on"], escalated_at=row["escalated_at"],
            resolution_action=row["resolution_action"], resolution=row["resolution"], version=row["version"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_cases).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(CaseNode, PartnerCase, case_scope, "staff: the whole SMB queue; partner users: their partner's cases")
