"""Accounts and contacts as GraphQL types. Derived facts (A1–A9) are computed by the
pure rules of partners.accounts.service, never here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Callable, Iterable

import strawberry
from strawberry import relay

from partners.accounts import rules
from partners.accounts.enums import Segment as SegmentEnum
from partners.accounts.scoping import account_scope, contact_scope
from partners.accounts.tables import Account, Contact
from partners.people.enums import Region as RegionEnum
from schema.accounts.loaders import (
    load_account_addresses,
    load_account_children,
    load_account_contacts,
    load_account_opportunities,
    load_account_transfers,
    load_accounts,
    load_contacts,
)
from schema.core.access import STAFF, node_access, visible_to
from schema.core.context import Info
from schema.core.conversions import Unknown, in_usd, rate_table, today, usd_value
from schema.core.enums import AccountType, AddressSource, Ranking, Region, ScreeningStatus, Segment, member
from schema.core.money import CurrencyConversionType, MoneyType, deprecated_amount
from schema.core.rows import int_ids
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode

if TYPE_CHECKING:
    from schema.opportunities.types import OpportunityNode


# Opportunity is a type of schema/opportunities/types.py, which sits above this module (its
# types hold Account and Contact nodes): Account.opportunities names it lazily, and that
# module hands down how its rows become nodes when it is imported (provide_opportunity_nodes),
# which building the schema always does (Strawberry resolves the lazy annotation).
def provide_opportunity_nodes(from_row: Callable[[dict], OpportunityNode]) -> None:
    global _opportunity_from_row
    _opportunity_from_row = from_row


def _no_opportunity_nodes(row: dict) -> OpportunityNode:
    raise RuntimeError("schema/opportunities/types.py was not imported: it provides Opportunity nodes")


_opportunity_from_row: Callable[[dict], OpportunityNode] = _no_opportunity_nodes


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


@strawberry.type(description="An address candidate of an account from one source (A4).")
class AccountAddress:
    source: AddressSource
    street: str
    city: str
    state: str
    postal_code: str
    country: str

    @classmethod
    def from_row(cls, row: dict) -> "AccountAddress":
        return cls(source=member(AddressSource, row["source"]), street=row["street"], city=row["city"],
                   state=row["state"],
                   postal_code=row["postal_code"], country=row["country"])


@strawberry.type(description="A user-entered employee count waiting for an admin (A3).")
class EmployeeCountReview:
    count: int
    source_url: str


@strawberry.type(description="Employee counts by source (A3).")
class EmployeeCounts:
    data_fox: int | None = strawberry.field(description="DataFox: the default source.")
    zoom_info: int | None = strawberry.field(description="ZoomInfo: used only when DataFox is blank.")
    admin_override: int | None = strawberry.field(description="An applied review request (admin only).")
    review_request: EmployeeCountReview | None = strawberry.field(description="A pending review request.")


@strawberry.type(description="A10: a change of account owner and what happened to the open opportunities.")
class AccountOwnershipTransfer:
    opportunities_held_over: int = strawberry.field(description="Open opportunities kept by their owner (≤ 180 days old).")
    opportunities_moved: int = strawberry.field(description="Open opportunities older than 180 days, moved to the new owner.")
    created_at: datetime
    from_owner_id: strawberry.Private[int | None]
    to_owner_id: strawberry.Private[int]
    transferred_by_id: strawberry.Private[int]

    @strawberry.field
    async def from_owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.from_owner_id)

    @strawberry.field
    async def to_owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.to_owner_id)

    @strawberry.field
    async def transferred_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.transferred_by_id)

    @classmethod
    def from_row(cls, row: dict) -> "AccountOwnershipTransfer":
        return cls(opportunities_held_over=row["opportunities_held_over"], opportunities_moved=row["opportunities_moved"],
                   created_at=row["created_at"], from_owner_id=row["from_owner"], to_owner_id=row["to_owner"],
                   transferred_by_id=row["transferred_by"])


@strawberry.type(name="Account", description="A company: an end customer, a prospect or a channel-type account (A5).")
class AccountNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    website: str
    account_type: AccountType = strawberry.field(name="type", description="A5.")
    region: Region
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    segment: Segment | None = strawberry.field(
        description="A1 from the global account's employees, raised to the maximum of the hierarchy (A2); "
        "null while no member has an employee count."
    )
    ranking: Ranking | None = strawberry.field(description="A9.")
    ranking_note: str
    currency: str = strawberry.field(description="ISO 4217 code of its cARR (from its country when created) and "
                                     "the default of its opportunities' (issue 40).")
    carr: float = strawberry.field(description="Current annual recurring revenue, in `currency`.",
                                   deprecation_reason=deprecated_amount("carrMoney"))
    potential_users: int | None = strawberry.field(description="Potential developer users (LAM).")
    first_order_available: bool = strawberry.field(description="A8.")
    screening_status: ScreeningStatus = strawberry.field(
        description="A6: only CLEAR accounts can be updated or close an opportunity won."
    )
    created_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field(description="A3: admin override, else DataFox, else ZoomInfo.")
    def effective_employee_count(self) -> int | None:
        return rules.row_effective_employees(self.row)

    @strawberry.field(description="A3.")
    def employee_counts(self) -> EmployeeCounts:
        r = self.row
        review = (
            EmployeeCountReview(count=r["employees_review_count"], source_url=r["employees_review_url"])
            if r["employees_review_count"] is not None else None
        )
        return EmployeeCounts(data_fox=r["employees_datafox"], zoom_info=r["employees_zoominfo"],
                              admin_override=r["employees_override"], review_request=review)

    @strawberry.field(description="Current annual recurring revenue, exact, in the account's currency.")
    def carr_money(self) -> MoneyType:
        return MoneyType(amount=self.row["carr"], currency=self.row["currency"])

    @strawberry.field(description="cARR in USD (A7's currency) at today's rate; null when no rate is known.",
                      extensions=[visible_to(STAFF)])
    async def carr_usd(self, info: Info) -> CurrencyConversionType | None:
        table = await rate_table(info)
        return CurrencyConversionType.of(in_usd(table, self.row["carr"], self.row["currency"], today()))

    @strawberry.field(description="A7: cARR < $30k (in USD at today's rate), < 101 employees, not Japan. Null when "
                      "the cARR's currency has no known rate (issue 40).")
    async def is_global_digital_smb(self, info: Info) -> bool | None:
        employees = rules.row_effective_employees(self.row)
        carr = usd_value(await rate_table(info), self.row["carr"], self.row["currency"], today())
        if isinstance(carr, Unknown):
            # Without a rate, only an account that fails A7 whatever its cARR (Japan, too many
            # employees) has an answer.
            return None if rules.is_global_digital_smb(Decimal(0), employees, self.country) else False
        return rules.is_global_digital_smb(carr, employees, self.country)

    @strawberry.field(description="A8: mid-market first-order ownership.")
    def is_first_order_target(self) -> bool:
        return rules.is_first_order_target(
            segment=SegmentEnum(self.row["segment"]) if self.row["segment"] else None,
            region=RegionEnum(self.row["region"]), country=self.country,
            first_order_available=self.first_order_available,
            employees=rules.row_effective_employees(self.row), potential_users=self.potential_users,
        )

    @strawberry.field(description="Address candidates by source (A4).")
    async def addresses(self, info: Info) -> list[AccountAddress]:
        rows = await info.context.loaders(load_account_addresses).load(self.id)
        return [AccountAddress.from_row(r) for r in rows]

    @strawberry.field(description="A4: admin override, DataFox, ZoomInfo, shipping, billing — the first present.")
    async def territory_address(self, info: Info) -> AccountAddress | None:
        chosen = rules.territory_address(await info.context.loaders(load_account_addresses).load(self.id))
        return AccountAddress.from_row(chosen) if chosen else None

    @strawberry.field
    async def owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["owner"])

    @strawberry.field
    async def parent(self, info: Info) -> "AccountNode | None":
        return await _account(info, self.row["parent"])

    @strawberry.field(description="The global account at the top of the hierarchy (itself for a global account).")
    async def ultimate_parent(self, info: Info) -> "AccountNode | None":
        return await _account(info, self.row["ultimate_parent"])

    @strawberry.field
    async def children(self, info: Info) -> list["AccountNode"]:
        return [AccountNode.from_row(r) for r in await info.context.loaders(load_account_children).load(self.id)]

    @strawberry.field
    async def contacts(self, info: Info) -> list["ContactNode"]:
        return [ContactNode.from_row(r) for r in await info.context.loaders(load_account_contacts).load(self.id)]

    @strawberry.field
    async def opportunities(
        self, info: Info
    ) -> list[Annotated["OpportunityNode", strawberry.lazy("schema.opportunities.types")]]:
        rows = await info.context.loaders(load_account_opportunities).load(self.id)
        return [_opportunity_from_row(r) for r in rows]

    @strawberry.field(description="The partner whose organisation this account is (A5, R1, R4), if any.")
    async def partner(self, info: Info) -> PartnerNode | None:
        if self.row.get("partner") is None:
            return None
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="A10: ownership transfers, oldest first.")
    async def ownership_transfers(self, info: Info) -> list[AccountOwnershipTransfer]:
        rows = await info.context.loaders(load_account_transfers).load(self.id)
        return [AccountOwnershipTransfer.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: dict) -> "AccountNode":
        return cls(
            id=row["id"], name=row["name"], website=row["website"],
            account_type=member(AccountType, row["account_type"]),
            region=member(Region, row["region"]), country=row["country"],
            segment=member(Segment, row["segment"]) if row["segment"] else None,
            ranking=member(Ranking, row["ranking"]) if row["ranking"] else None, ranking_note=row["ranking_note"],
            currency=row["currency"], carr=float(row["carr"]), potential_users=row["potential_users"],
            first_order_available=row["first_order_available"],
            screening_status=member(ScreeningStatus, row["screening_status"]), created_at=row["created_at"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_accounts).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


async def _account(info: Info, account_id: int | None) -> AccountNode | None:
    if account_id is None:
        return None
    row = await info.context.loaders(load_accounts).load(account_id)
    return AccountNode.from_row(row) if row else None


@strawberry.type(name="Contact", description="A person at an account.")
class ContactNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    email: str
    title: str
    created_at: datetime
    account_id: strawberry.Private[int]

    @strawberry.field
    async def account(self, info: Info) -> AccountNode | None:
        return await _account(info, self.account_id)

    @classmethod
    def from_row(cls, row: dict) -> "ContactNode":
        return cls(id=row["id"], name=row["name"], email=row["email"], title=row["title"],
                   created_at=row["created_at"], account_id=row["account"])

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_contacts).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(AccountNode, Account, account_scope, "staff: every account; partner users: none (they see accountName on an opportunity)")
node_access(ContactNode, Contact, contact_scope, "staff: every contact; partner users: none")
