"""Deal registrations as GraphQL types; nested fields load through scoped DataLoaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners import business_days
from partners.registrations.queue import due_of
from partners.registrations.rules import working_hours_between
from partners.registrations.scoping import deal_registration_scope
from partners.registrations.tables import DealRegistration
from schema.accounts.loaders import load_accounts
from schema.accounts.types import AccountNode
from schema.core.access import STAFF, node_access, visible_to
from schema.core.context import Info
from schema.core.enums import DealRegistrationStatus, DealRegistrationType, Region, member
from schema.core.money import MoneyType, deprecated_amount
from schema.core.rows import int_ids
from schema.deal_registrations.loaders import (
    load_customer_names,
    load_deal_registrations,
    load_registration_conflicts,
    load_registration_history,
    load_registration_products,
)
from schema.discounts.loaders import load_standard_quotes
from schema.discounts.types import DiscountQuote
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode

# Alias of the customer's account name in rows read by the `dealRegistrations` page query.
PAGE_CUSTOMER_NAME = "page_customer_name"
# Key of the product rows a `dealRegistrations` page prefetches (load_registration_products).
PAGE_PRODUCTS = "page_products"
# Keys of the opportunity row (load_opportunities) and today's quote (load_standard_quotes)
# a `dealRegistrations` page prefetches.
PAGE_OPPORTUNITY = "page_opportunity"
PAGE_QUOTE = "page_quote"
# Keys of the partner row (load_partners) and of the visible conflicting registrations' rows
# (load_registration_conflicts, then load_deal_registrations) a page prefetches (issue 38).
PAGE_PARTNER = "page_partner"
PAGE_CONFLICTS = "page_conflicts"


def _partner_side(info: Info) -> bool:
    principal = info.context.principal
    return principal is not None and principal.is_partner_user


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


@strawberry.type(description="One transition of a registration: who and when (P4).")
class DealRegistrationChange:
    event: str = strawberry.field(description="SUBMITTED, PENDING_SALES_REVIEW, …, ON_HOLD, REOPENED, EXTENDED.")
    from_status: DealRegistrationStatus | None
    to_status: DealRegistrationStatus
    note: str
    changed_at: datetime
    changed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="Null for the system (expiry) or a user you may not see.")
    async def changed_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.changed_by_id)


@strawberry.type(name="DealRegistration", description="A partner's registration of one deal (D1, P3).")
class DealRegistrationNode(relay.Node):
    id: relay.NodeID[int]
    registration_type: DealRegistrationType = strawberry.field(name="type", description="P3.")
    status: DealRegistrationStatus = strawberry.field(description="P4–P6.")
    region_value: strawberry.Private[Region]
    customer_matched_value: strawberry.Private[bool]
    edition: str
    seats: int
    currency: str = strawberry.field(description="ISO 4217 code of the estimated amount: the partner's, often "
                                     "local, possibly not the opportunity's (D5; issue 40).")
    estimated_amount: float | None = strawberry.field(deprecation_reason=deprecated_amount("estimatedAmountMoney"))
    expected_close_date: date | None
    notes: str
    submitted_at: datetime = strawberry.field(description="First submission: the order of P5 reconsideration.")
    last_submitted_at: datetime
    review_due_at: datetime | None = strawberry.field(
        description="P4 target of the step it waits for: the first review within 2 working hours of "
                    "(re)submission, the decision within 1 business day. Working hours: Mon–Fri 09:00–17:00 UTC.")
    decision_due_at: datetime | None = strawberry.field(description="P4: decision within 1 business day.")
    reply_due_at: datetime | None = strawberry.field(
        description="P4, while RETURNED: resubmit by then (14 days after the return), or the registration is closed.")
    decided_at: datetime | None
    approved_at: datetime | None
    expires_at: datetime | None = strawberry.field(description="P6: 90 days after approval, plus extensions.")
    extension_count: int = strawberry.field(description="P6.")
    reason: str = strawberry.field(description="The latest return, denial or dissolution reason.")
    version: int = strawberry.field(description="Goes up by one with every change, status changes included; send "
                                    "it back as expectedVersion to refuse stale writes.")
    row: strawberry.Private[dict]

    @strawberry.field(description="The partner's estimate, exact, in the registration's currency.")
    def estimated_amount_money(self) -> MoneyType | None:
        return MoneyType.from_parts(self.row["estimated_amount"], self.row["currency"])

    @strawberry.field(description="Issue 36: the deadline of the step it waits for now, whoever takes it: "
                      "reviewDueAt while in review (P4), replyDueAt while RETURNED, else null. "
                      "`actionableByMe` lists soonest first.")
    def due_at(self) -> datetime | None:
        return due_of(self.row)

    @strawberry.field(description="Working hours (P4's clock: Mon–Fri 09:00–17:00 UTC) left until dueAt, to two "
                      "decimals; 0 once it passed, null without dueAt.")
    def due_in_working_hours(self) -> float | None:
        due = due_of(self.row)
        return None if due is None else round(max(0.0, working_hours_between(business_days.now(), due)), 2)

    @strawberry.field(description="Working hours since dueAt passed (P4: how late the step is), to two decimals; "
                      "null while not late or without dueAt.")
    def overdue_by_working_hours(self) -> float | None:
        due, at = due_of(self.row), business_days.now()
        return None if due is None or due > at else round(working_hours_between(due, at), 2)

    @strawberry.field
    def partner(self, info: Info) -> PartnerNode | None:
        if PAGE_PARTNER in self.row:  # prefetched by the page, through the same scoped loader
            row = self.row[PAGE_PARTNER]
            return PartnerNode.from_row(row) if row else None
        return self._load_partner(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_partner(self, info: Info) -> PartnerNode | None:
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field
    async def registered_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["registered_by"])

    @strawberry.field(description="D1: the account executive it was assigned to on approval.")
    async def assigned_account_executive(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["assigned_ae"])

    @strawberry.field(description="The end customer's region: its channel managers review it (D1). Partner users "
                      "read the region they typed for a prospect (never a matched account's, R9).")
    def region(self, info: Info) -> Region:
        typed = self.row.get("prospect_region")
        if typed and _partner_side(info):
            return Region(typed)
        return self.region_value

    @strawberry.field(description="Staff only (partner users read null): the prospect's details matched an existing "
                      "account (website domain or name), which the registration links to.",
                      extensions=[visible_to(STAFF)])
    def customer_matched(self) -> bool | None:
        return self.customer_matched_value

    @strawberry.field(description="The end customer's account name, readable by all who see the registration. "
                      "Partner users read the name they typed for a prospect (never a matched account's, R9).")
    def customer_name(self, info: Info) -> str:
        typed = self.row.get("prospect_name")
        if typed and _partner_side(info):
            return typed
        # A `dealRegistrations` page reads the name with its rows (PAGE_CUSTOMER_NAME, same
        # scope): a plain value, no loader and no await per row. Rows from elsewhere (node,
        # conflicts, payloads) load it, batched.
        if PAGE_CUSTOMER_NAME in self.row:
            return self.row[PAGE_CUSTOMER_NAME] or ""
        return self._load_customer_name(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_customer_name(self, info: Info) -> str:
        return await info.context.loaders(load_customer_names).load(self.id) or ""

    @strawberry.field(description="The end customer (R1); null for partner users, who see customerName.")
    async def account(self, info: Info) -> AccountNode | None:
        row = await info.context.loaders(load_accounts).load(self.row["account"])
        return AccountNode.from_row(row) if row else None

    @strawberry.field(description="P3: its one opportunity (linked, or created on approval); R9 applies.")
    def opportunity(self, info: Info) -> OpportunityNode | None:
        if self.row["opportunity"] is None:
            return None
        if PAGE_OPPORTUNITY in self.row:  # prefetched by the page, through the same scoped loader
            row = self.row[PAGE_OPPORTUNITY]
            return OpportunityNode.from_row(row) if row else None
        return self._load_opportunity(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_opportunity(self, info: Info) -> OpportunityNode | None:
        row = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return OpportunityNode.from_row(row) if row else None

    @strawberry.field(description="Product codes (lower case); overlaps make conflicts (D2).")
    def products(self, info: Info) -> list[str]:
        # Prefetched for a `dealRegistrations` page that asks for them (PAGE_PRODUCTS), else loaded.
        if PAGE_PRODUCTS in self.row:
            return [r["product"] for r in self.row[PAGE_PRODUCTS]]
        return self._load_products(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_products(self, info: Info) -> list[str]:
        return [r["product"] for r in await info.context.loaders(load_registration_products).load(self.id)]

    @strawberry.field(description="D2: other pending or approved registrations of the same end customer with an "
                      "overlapping product, in submission order (only those you may see).")
    def conflicts(self, info: Info) -> list["DealRegistrationNode"]:
        if PAGE_CONFLICTS in self.row:  # prefetched by the page, through the same loaders
            return [DealRegistrationNode.from_row(r) for r in self.row[PAGE_CONFLICTS]]
        return self._load_conflicts(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_conflicts(self, info: Info) -> list["DealRegistrationNode"]:
        ids = await info.context.loaders(load_registration_conflicts).load(self.id)
        rows = await info.context.loaders(load_deal_registrations).load_many(ids)
        return [DealRegistrationNode.from_row(r) for r in rows if r]

    @strawberry.field(description="P5: the approved registration this one waits behind while ON_HOLD.")
    async def held_by(self, info: Info) -> "DealRegistrationNode | None":
        if self.row["held_by"] is None:
            return None
        row = await info.context.loaders(load_deal_registrations).load(self.row["held_by"])
        return DealRegistrationNode.from_row(row) if row else None

    @strawberry.field(description="The registering partner's discounts on its opportunity today (D5, P7–P10): "
                      "the same lines as `discountQuote` without overrides. Null without an opportunity you may "
                      "see, a policy in effect, or a line (e.g. not yet approved and not on the team). Batched: "
                      "a page of registrations costs the same statements as one.")
    def discount_quote(self, info: Info) -> DiscountQuote | None:
        if self.row["opportunity"] is None:
            return None
        if PAGE_QUOTE in self.row:  # prefetched by the page, through the same loader
            quote = self.row[PAGE_QUOTE]
            return DiscountQuote.from_quote(quote) if quote else None
        return self._load_discount_quote(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_discount_quote(self, info: Info) -> DiscountQuote | None:
        quote = await info.context.loaders(load_standard_quotes).load((self.row["opportunity"], self.row["partner"]))
        return DiscountQuote.from_quote(quote) if quote else None

    @strawberry.field(description="Every transition, oldest first (P4).")
    async def history(self, info: Info) -> list[DealRegistrationChange]:
        rows = await info.context.loaders(load_registration_history).load(self.id)
        return [DealRegistrationChange(
            event=r["event"],
            from_status=member(DealRegistrationStatus, r["from_status"]) if r["from_status"] else None,
            to_status=member(DealRegistrationStatus, r["to_status"]), note=r["note"], changed_at=r["changed_at"],
            changed_by_id=r["changed_by"]) for r in rows]

    @classmethod
    def from_row(cls, row: dict) -> "DealRegistrationNode":
        return cls(
            id=row["id"], registration_type=member(DealRegistrationType, row["registration_type"]),
            status=member(DealRegistrationStatus, row["status"]), region_value=member(Region, row["region"]),
            customer_matched_value=row["customer_matched"], edition=row["edition"], seats=row["seats"],
            currency=row["currency"],
            estimated_amount=None if row["estimated_amount"] is None else float(row["estimated_amount"]),
            expected_close_date=row["expected_close_date"],
            notes=row["notes"], submitted_at=row["submitted_at"], last_submitted_at=row["last_submitted_at"],
            review_due_at=row["review_due_at"], decision_due_at=row["decision_due_at"], decided_at=row["decided_at"],
            reply_due_at=row["reply_due_at"],
            approved_at=row["approved_at"], expires_at=row["expires_at"], extension_count=row["extension_count"],
            reason=row["reason"], version=row["version"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_deal_registrations).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(DealRegistrationNode, DealRegistration, deal_registration_scope,
            "staff: every registration; partner users: their own partner's")
