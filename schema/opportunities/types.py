"""Opportunities as GraphQL types. Flags (O9, O11) come from partners.opportunities.rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

import strawberry
from strawberry import relay

from partners.accounts.enums import Segment as SegmentEnum
from partners.money.amounts import MAX_AMOUNT
from partners.opportunities import rules
from partners.opportunities.enums import OpportunityType as OpportunityTypeEnum
from partners.opportunities.scoping import holdover_extension_scope, opportunity_scope
from partners.opportunities.tables import HoldoverExtension, Opportunity
from schema.accounts.loaders import load_accounts, load_contacts
from schema.accounts.types import AccountNode, ContactNode, provide_opportunity_nodes
from schema.core.access import STAFF, node_access, visible_to
from schema.core.context import Info
from schema.core.conversions import Unknown, in_usd, rate_table, record_day, usd_value
from schema.core.enums import (
    ContactRole,
    HoldoverExtensionStatus,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
    SalesQualifiedSource,
    member,
)
from schema.core.money import CurrencyConversionType, MoneyType, deprecated_amount
from schema.core.rows import int_ids, scoped_rows_by_ids
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import (
    load_holdover_extensions,
    load_opportunities,
    load_opportunity_contacts,
    load_opportunity_partners,
    load_stage_history,
)


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


async def _opportunity(info: Info, opportunity_id: int | None) -> "OpportunityNode | None":
    if opportunity_id is None:
        return None
    row = await info.context.loaders(load_opportunities).load(opportunity_id)
    return OpportunityNode.from_row(row) if row else None


def _float(value: Decimal | None) -> float | None:
    """A deprecated Float field's value (issue 40: exact in the ...Money fields)."""
    return None if value is None else float(value)


# O11 flags are the vendor's internal sales thresholds: staff read them, partner users read null.
INTERNAL = "Internal sales threshold: null for partner users."


# Keys of what an `opportunities` page prefetches for its nodes (schema/opportunities/queries.py):
# in the page rows, the account row and the team and contact link rows; in those link rows,
# the partner or contact row. Each through the same scoped loader the field itself uses.
PAGE_ACCOUNT = "page_account"
PAGE_CONTACTS = "page_contacts"
PAGE_PARTNERS = "page_partners"
PAGE_LINKED = "page_linked"
_NOT_PREFETCHED = object()


@strawberry.type(description="A contact on an opportunity, with their role; exactly one is primary (R3).")
class OpportunityContact:
    role: ContactRole
    is_primary: bool
    contact_id: strawberry.Private[int]
    prefetched: strawberry.Private[object] = _NOT_PREFETCHED  # the contact row, when the page loaded it

    @classmethod
    def from_link(cls, link: dict) -> "OpportunityContact":
        return cls(role=member(ContactRole, link["role"]), is_primary=link["is_primary"], contact_id=link["contact"],
                   prefetched=link.get(PAGE_LINKED, _NOT_PREFETCHED))

    @strawberry.field
    def contact(self, info: Info) -> ContactNode | None:
        if self.prefetched is not _NOT_PREFETCHED:
            return ContactNode.from_row(self.prefetched) if self.prefetched else None
        return self._load_contact(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_contact(self, info: Info) -> ContactNode | None:
        row = await info.context.loaders(load_contacts).load(self.contact_id)
        return ContactNode.from_row(row) if row else None


@strawberry.type(description="A partner on the opportunity's team (R5).")
class OpportunityPartner:
    role: OpportunityPartnerRole
    is_primary: bool
    created_at: datetime
    partner_id: strawberry.Private[int]
    prefetched: strawberry.Private[object] = _NOT_PREFETCHED  # the partner row, when the page loaded it

    @classmethod
    def from_link(cls, link: dict) -> "OpportunityPartner":
        return cls(role=member(OpportunityPartnerRole, link["role"]), is_primary=link["is_primary"],
                   created_at=link["created_at"], partner_id=link["partner"],
                   prefetched=link.get(PAGE_LINKED, _NOT_PREFETCHED))

    @strawberry.field
    def partner(self, info: Info) -> PartnerNode | None:
        if self.prefetched is not _NOT_PREFETCHED:
            return PartnerNode.from_row(self.prefetched) if self.prefetched else None
        return self._load_partner(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_partner(self, info: Info) -> PartnerNode | None:
        row = await info.context.loaders(load_partners).load(self.partner_id)
        return PartnerNode.from_row(row) if row else None


@strawberry.type(description="One move of the stage (O1–O7).")
class OpportunityStageChange:
    from_stage: OpportunityStage | None
    to_stage: OpportunityStage
    note: str
    changed_at: datetime
    changed_by_id: strawberry.Private[int | None]

    @strawberry.field
    async def changed_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.changed_by_id)


@strawberry.type(name="Opportunity", description="A deal on an end customer's account (R1).")
class OpportunityNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    account_name: str = strawberry.field(description="The account's name, readable by all who see the opportunity.")
    opportunity_type: OpportunityType = strawberry.field(name="type", description="O8.")
    stage: OpportunityStage = strawberry.field(description="O1; moved only by moveOpportunityStage.")
    currency: str = strawberry.field(description="ISO 4217 code of its amounts: set when it is created (the "
                                     "account's by default) and never converted (issue 40).")
    amount: float | None = strawberry.field(deprecation_reason=deprecated_amount("amountMoney"))
    net_arr: float | None = strawberry.field(deprecation_reason=deprecated_amount("netArrMoney"))
    close_date: date | None
    sales_qualified_source: SalesQualifiedSource = strawberry.field(description="O9.")
    sales_accepted_at: datetime | None = strawberry.field(description="O3: set when it left 0-Pending Acceptance.")
    sales_qualified: bool = strawberry.field(description="O4.")
    sales_qualified_at: datetime | None
    initial_iacv: float | None = strawberry.field(description="O4: net ARR snapshot when it was qualified.",
                                                  deprecation_reason=deprecated_amount("initialIacvMoney"))
    closed_at: datetime | None
    loss_reason: LossReason | None = strawberry.field(description="O7.")
    competitor: str
    owner_holdover_until: datetime | None = strawberry.field(
        description="A10: after an account transfer the owner keeps this opportunity until then."
    )
    version: int = strawberry.field(description="Goes up by one with every change of the opportunity, its team or "
                                    "its contacts; send it back as expectedVersion to refuse stale writes.")
    created_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field(description="The handbook label of the stage, e.g. `3-Technical Evaluation`.")
    def stage_label(self) -> str:
        return self.stage.value

    @strawberry.field(description="The amount, exact, in the opportunity's currency.")
    def amount_money(self) -> MoneyType | None:
        return MoneyType.from_parts(self.row["amount"], self.row["currency"])

    @strawberry.field(description="Net ARR, exact, in the opportunity's currency.")
    def net_arr_money(self) -> MoneyType | None:
        return MoneyType.from_parts(self.row["net_arr"], self.row["currency"])

    @strawberry.field(description="O4: the net ARR (else the amount) when it was qualified, exact.")
    def initial_iacv_money(self) -> MoneyType | None:
        return MoneyType.from_parts(self.row["initial_iacv"], self.row["currency"])

    async def _usd(self, info: Info, column: str) -> Decimal | None | Unknown:
        table = await rate_table(info)
        return usd_value(table, self.row[column], self.row["currency"], record_day(self.row["closed_at"]))

    async def _conversion(self, info: Info, column: str) -> CurrencyConversionType | None:
        table = await rate_table(info)
        return CurrencyConversionType.of(in_usd(table, self.row[column], self.row["currency"],
                                                record_day(self.row["closed_at"])))

    @strawberry.field(description=f"The amount in USD, the currency of O11's thresholds, at the rate of its close "
                      f"date when closed, else of today; null without an amount or a known rate. {INTERNAL}",
                      extensions=[visible_to(STAFF)])
    async def amount_usd(self, info: Info) -> CurrencyConversionType | None:
        return await self._conversion(info, "amount")

    @strawberry.field(description=f"Net ARR in USD, as amountUsd. {INTERNAL}", extensions=[visible_to(STAFF)])
    async def net_arr_usd(self, info: Info) -> CurrencyConversionType | None:
        return await self._conversion(info, "net_arr")

    async def _flag(self, info: Info, column: str, flag: str) -> bool | None:
        """One O11 flag from the USD value of `column`; null when it has no known rate."""
        value = await self._usd(info, column)
        segment = SegmentEnum(self.row["account_segment"]) if self.row["account_segment"] else None

        def flag_at(usd: Decimal | None) -> bool:
            values = {"amount_usd": None, "net_arr_usd": None, f"{column}_usd": usd}
            return getattr(rules.threshold_flags(segment, name=self.name, **values), flag)

        if isinstance(value, Unknown):
            # Without a rate, a flag that is the same for any amount (a Channel-Managed title) still answers.
            low, high = flag_at(Decimal(0)), flag_at(MAX_AMOUNT)
            return low if low == high else None
        return flag_at(value)

    @strawberry.field(description=f"O11: amount over $5k (SMB) / $10k (mid-market, large), in USD at the dated rate. "
                      f"{INTERNAL}", extensions=[visible_to(STAFF)])
    async def requires_close_plan(self, info: Info) -> bool | None:
        return await self._flag(info, "amount", "requires_close_plan")

    @strawberry.field(description=f"O11: net ARR over $10k / $20k (USD), unless the title says Channel-Managed. "
                      f"{INTERNAL}", extensions=[visible_to(STAFF)])
    async def requires_command_plan(self, info: Info) -> bool | None:
        return await self._flag(info, "net_arr", "requires_command_plan")

    @strawberry.field(description=f"O11: net ARR at $10k / $20k (USD). {INTERNAL}", extensions=[visible_to(STAFF)])
    async def requires_opportunity_consult(self, info: Info) -> bool | None:
        return await self._flag(info, "net_arr", "requires_opportunity_consult")

    @strawberry.field(description=f"O11: net ARR at $2k / $7k (USD). {INTERNAL}", extensions=[visible_to(STAFF)])
    async def in_red_green_review(self, info: Info) -> bool | None:
        return await self._flag(info, "net_arr", "in_red_green_review")

    @strawberry.field(description="O11 (000): new business above $1,000 ARR (USD) with more than 50 seats potential. "
                      f"{INTERNAL}", extensions=[visible_to(STAFF)])
    async def counts_as_new_logo(self, info: Info) -> bool | None:
        value = await self._usd(info, "net_arr")
        opp_type, users = OpportunityTypeEnum(self.row["opportunity_type"]), self.row["account_potential_users"]
        if isinstance(value, Unknown):
            low = rules.counts_as_new_logo(opp_type, Decimal(0), users)
            return low if low == rules.counts_as_new_logo(opp_type, MAX_AMOUNT, users) else None
        return rules.counts_as_new_logo(opp_type, value, users)

    @strawberry.field(description="Null for partner users, who see only accountName.")
    def account(self, info: Info) -> AccountNode | None:
        if PAGE_ACCOUNT in self.row:
            row = self.row[PAGE_ACCOUNT]
            return AccountNode.from_row(row) if row else None
        return self._load_account(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_account(self, info: Info) -> AccountNode | None:
        row = await info.context.loaders(load_accounts).load(self.row["account"])
        return AccountNode.from_row(row) if row else None

    @strawberry.field
    async def owner(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["owner"])

    @strawberry.field
    async def sdr(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["sdr"])

    @strawberry.field(description="O8.")
    async def parent(self, info: Info) -> "OpportunityNode | None":
        return await _opportunity(info, self.row["parent"])

    @strawberry.field(description="O7: the opportunity it was merged into.")
    async def merged_into(self, info: Info) -> "OpportunityNode | None":
        return await _opportunity(info, self.row["merged_into"])

    @strawberry.field(description="O6.")
    async def duplicate_of(self, info: Info) -> "OpportunityNode | None":
        return await _opportunity(info, self.row["duplicate_of"])

    @strawberry.field(description="Primary first.")
    def contacts(self, info: Info) -> list[OpportunityContact]:
        if PAGE_CONTACTS in self.row:
            return [OpportunityContact.from_link(link) for link in self.row[PAGE_CONTACTS]]
        return self._load_contacts(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_contacts(self, info: Info) -> list[OpportunityContact]:
        links = await info.context.loaders(load_opportunity_contacts).load(self.id)
        return [OpportunityContact.from_link(link) for link in links]

    @strawberry.field(description="The partner team; a partner user sees only their own partner's place on it.")
    def partners(self, info: Info) -> list[OpportunityPartner]:
        if PAGE_PARTNERS in self.row:
            return [OpportunityPartner.from_link(link) for link in self.row[PAGE_PARTNERS]]
        return self._load_partners(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_partners(self, info: Info) -> list[OpportunityPartner]:
        links = await info.context.loaders(load_opportunity_partners).load(self.id)
        return [OpportunityPartner.from_link(link) for link in links]

    async def _primary_row(self, info: Info) -> dict | None:
        # Through the scoped team loader: a partner user finds the primary only if it is their own (R9).
        rows = await info.context.loaders(load_opportunity_partners).load(self.id)
        return next((r for r in rows if r["is_primary"]), None)

    @strawberry.field(description="The primary partner (R6–R8), chosen through cosell_primary_partner; null for a "
                      "partner user when it is another partner.")
    async def primary_partner(self, info: Info) -> PartnerNode | None:
        row = await self._primary_row(info)
        partner = await info.context.loaders(load_partners).load(row["partner"]) if row else None
        return PartnerNode.from_row(partner) if partner else None

    @strawberry.field(description="Why the primary partner is primary, e.g. `deal registrant (R8)` or "
                      "`set by <user>`; null when primaryPartner is.")
    async def primary_reason(self, info: Info) -> str | None:
        return self.row["primary_reason"] or None if await self._primary_row(info) else None

    @strawberry.field(description="A10: the owner's requests to keep it past its holdover, oldest first.")
    async def holdover_extensions(self, info: Info) -> list["HoldoverExtensionNode"]:
        rows = await info.context.loaders(load_holdover_extensions).load(self.id)
        return [HoldoverExtensionNode.from_row(r) for r in rows]

    @strawberry.field(description="Every stage move, oldest first.")
    async def stage_history(self, info: Info) -> list[OpportunityStageChange]:
        rows = await info.context.loaders(load_stage_history).load(self.id)
        return [
            OpportunityStageChange(
                from_stage=member(OpportunityStage, r["from_stage"]) if r["from_stage"] else None,
                to_stage=member(OpportunityStage, r["to_stage"]), note=r["note"], changed_at=r["changed_at"],
                changed_by_id=r["changed_by"],
            )
            for r in rows
        ]

    @classmethod
    def from_row(cls, row: dict) -> "OpportunityNode":
        return cls(
            id=row["id"], name=row["name"], account_name=row["account_name"],
            opportunity_type=member(OpportunityType, row["opportunity_type"]),
            stage=member(OpportunityStage, row["stage"]),
            currency=row["currency"], amount=_float(row["amount"]), net_arr=_float(row["net_arr"]),
            close_date=row["close_date"],
            sales_qualified_source=member(SalesQualifiedSource, row["sales_qualified_source"]),
            sales_accepted_at=row["sales_accepted_at"], sales_qualified=row["sales_qualified"],
            sales_qualified_at=row["sales_qualified_at"], initial_iacv=_float(row["initial_iacv"]),
            closed_at=row["closed_at"],
            loss_reason=member(LossReason, row["loss_reason"]) if row["loss_reason"] else None,
            competitor=row["competitor"], owner_holdover_until=row["owner_holdover_until"],
            version=row["version"], created_at=row["created_at"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_opportunities).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(
    OpportunityNode, Opportunity, opportunity_scope,
    "staff: every opportunity; partner users: those their partner is on as RESELLER or DEAL_REGISTRANT (R9)",
)
# Account.opportunities lists these nodes; schema/accounts/types.py, below this module, does not
# import it.
provide_opportunity_nodes(OpportunityNode.from_row)


@strawberry.type(name="HoldoverExtension", description="A10: the owner of a held-over opportunity asks, by day "
                 "120, to keep it past its holdover, with evidence of close within 90 days; approved, the "
                 "holdover ends 90 days later.")
class HoldoverExtensionNode(relay.Node):
    id: relay.NodeID[int]
    status: HoldoverExtensionStatus
    expected_close_date: date = strawberry.field(description="Within 90 days of the request.")
    note: str = strawberry.field(description="The owner's evidence of close.")
    decided_at: datetime | None
    decision_note: str = strawberry.field(description="The approver's note, or why it was refused.")
    extended_until: datetime | None = strawberry.field(description="Set on approval: the new end of the holdover.")
    created_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        return await _opportunity(info, self.row["opportunity"])

    @strawberry.field
    async def requested_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["requested_by"])

    @strawberry.field
    async def decided_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["decided_by"])

    @classmethod
    def from_row(cls, row: dict) -> "HoldoverExtensionNode":
        return cls(id=row["id"], status=member(HoldoverExtensionStatus, row["status"]),
                   expected_close_date=row["expected_close_date"], note=row["note"], decided_at=row["decided_at"],
                   decision_note=row["decision_note"], extended_until=row["extended_until"],
                   created_at=row["created_at"], row=row)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await scoped_rows_by_ids(HoldoverExtension, holdover_extension_scope, info.context.principal,
                                        int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(HoldoverExtensionNode, HoldoverExtension, holdover_extension_scope,
            "whoever sees its opportunity: staff all; partner users under R9")
