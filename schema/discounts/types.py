"""Discount policy versions, reduction approvals and quotes as GraphQL types."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

import strawberry
from strawberry import relay

from partners.discounts import quotes as discounts, rules as discount_rules
from partners.discounts.enums import PurchaseRoute as PurchaseRouteEnum
from partners.discounts.scoping import discount_approval_scope, discount_policy_scope
from partners.discounts.tables import DiscountApproval, DiscountPolicy
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.enums import DealRegistrationType, DiscountBasis, DiscountLineKind, PartnerTrack, PurchaseRoute
from schema.core.money import MoneyType
from schema.core.rows import int_ids
from schema.discounts.percent import amount_deprecated, rate_deprecated
from schema.discounts.loaders import (
    load_discount_approvals,
    load_discount_policies,
    load_poc_rates,
    load_program_rates,
)
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode


async def _partner(info: Info, partner_id: int | None) -> PartnerNode | None:
    if partner_id is None:
        return None
    row = await info.context.loaders(load_partners).load(partner_id)
    return PartnerNode.from_row(row) if row else None


async def _opportunity(info: Info, opportunity_id: int) -> OpportunityNode | None:
    row = await info.context.loaders(load_opportunities).load(opportunity_id)
    return OpportunityNode.from_row(row) if row else None


@strawberry.type(description="D5: the program discount of a partner track for a registration type.")
class DiscountProgramRate:
    track: PartnerTrack
    registration_type: DealRegistrationType
    percent: Decimal = strawberry.field(description="Percent, exact.")

    @strawberry.field(description="Percent.", deprecation_reason=rate_deprecated("percent"))
    def rate(self) -> float:
        return float(self.percent)


@strawberry.type(description="D6: a band of the Paid POC matrix (users inclusive).")
class DiscountPocRate:
    min_users: int
    max_users: int
    percent: Decimal = strawberry.field(description="Percent, exact.")

    @strawberry.field(description="Percent.", deprecation_reason=rate_deprecated("percent"))
    def rate(self) -> float:
        return float(self.percent)


@strawberry.type(name="DiscountPolicy", description="A version of the discount policy, in effect on the days "
                 "[effectiveFrom, effectiveTo). Rates are percentages. Staff only.")
class DiscountPolicyNode(relay.Node):
    id: relay.NodeID[int]
    effective_from: date
    effective_to: date | None = strawberry.field(description="Exclusive; null: until a later version replaces it.")
    co_sell_percent: Decimal = strawberry.field(description="D5, P7: co-sell and tender rate (percent, exact).")
    services_attach_percent: Decimal = strawberry.field(description="P9: per engagement, of the linked deal's net "
                                                        "ARR (percent, exact).")
    services_attach_max_engagements: int = strawberry.field(description="P9: engagements that stack.")
    services_attach_window_months: int = strawberry.field(description="P9: the stacking window.")
    distributor_margin_percent: Decimal = strawberry.field(description="P10: the distributor's line on the "
                                                           "distributor route (percent, exact).")
    poc_min_months: int = strawberry.field(description="D6.")
    poc_min_users: int = strawberry.field(description="D6.")
    poc_max_users: int = strawberry.field(description="D6.")
    notes: str
    created_at: datetime

    @strawberry.field(description="P9: the stacking cap (percent × engagements, exact: 7.5 with the defaults).")
    def services_attach_cap_percent(self) -> Decimal:
        return self.services_attach_percent * self.services_attach_max_engagements

    @strawberry.field(description="D5, P7: co-sell and tender rate.", deprecation_reason=rate_deprecated("coSellPercent"))
    def co_sell_rate(self) -> float:
        return float(self.co_sell_percent)

    @strawberry.field(description="P9: per engagement, of the linked deal's net ARR.",
                      deprecation_reason=rate_deprecated("servicesAttachPercent"))
    def services_attach_rate(self) -> float:
        return float(self.services_attach_percent)

    @strawberry.field(description="P10: the distributor's line on the distributor route.",
                      deprecation_reason=rate_deprecated("distributorMarginPercent"))
    def distributor_margin_rate(self) -> float:
        return float(self.distributor_margin_percent)

    @strawberry.field(description="P9: the stacking cap (rate × engagements).",
                      deprecation_reason=rate_deprecated("servicesAttachCapPercent"))
    def services_attach_cap(self) -> float:
        return float(self.services_attach_cap_percent())

    @strawberry.field(description="D5: track × registration type.")
    async def program_rates(self, info: Info) -> list[DiscountProgramRate]:
        return [DiscountProgramRate(track=PartnerTrack(r["track"]),
                                    registration_type=DealRegistrationType(r["registration_type"]),
                                    percent=r["rate"])
                for r in await info.context.loaders(load_program_rates).load(self.id)]

    @strawberry.field(description="D6: the Paid POC matrix.")
    async def poc_rates(self, info: Info) -> list[DiscountPocRate]:
        return [DiscountPocRate(min_users=r["min_users"], max_users=r["max_users"], percent=r["rate"])
                for r in await info.context.loaders(load_poc_rates).load(self.id)]

    @classmethod
    def from_row(cls, row: dict) -> "DiscountPolicyNode":
        return cls(
            id=row["id"], effective_from=row["effective_from"], effective_to=row["effective_to"],
            co_sell_percent=row["co_sell_rate"], services_attach_percent=row["services_attach_rate"],
            services_attach_max_engagements=row["services_attach_max_engagements"],
            services_attach_window_months=row["services_attach_window_months"],
            distributor_margin_percent=row["distributor_margin_rate"], poc_min_months=row["poc_min_months"],
            poc_min_users=row["poc_min_users"], poc_max_users=row["poc_max_users"], notes=row["notes"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_discount_policies).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(DiscountPolicyNode, DiscountPolicy, discount_policy_scope, "staff; never partner users")


@strawberry.type(name="DiscountApproval", description="P8: approval to reduce a partner's discount on one "
                 "opportunity to `percent`; a quote asking for exactly that percentage names it.")
class DiscountApprovalNode(relay.Node):
    id: relay.NodeID[int]
    percent: Decimal = strawberry.field(description="The approved (reduced) partner discount, percent, exact.")
    reason: str
    approved_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field(description="The approved (reduced) partner discount, percent.",
                      deprecation_reason=rate_deprecated("percent"))
    def rate(self) -> float:
        return float(self.percent)

    @strawberry.field
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        return await _opportunity(info, self.row["opportunity"])

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        return await _partner(info, self.row["partner"])

    @strawberry.field
    async def approved_by(self, info: Info) -> UserNode | None:
        row = await info.context.loaders(load_users).load(self.row["approved_by"])
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "DiscountApprovalNode":
        return cls(id=row["id"], percent=row["rate"], reason=row["reason"], approved_at=row["approved_at"], row=row)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_discount_approvals).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(DiscountApprovalNode, DiscountApproval, discount_approval_scope,
            "staff; partner users: their own partner's, on opportunities they see (R9)")


@strawberry.type(description="One line of a quote (P8: the partner discount is its own line).")
class DiscountLine:
    kind: DiscountLineKind
    key: str = strawberry.field(description="Built-in keys: partner, services_attach, distributor_margin, paid_poc; "
                                "plugins add others or replace these.")
    label: str
    rule: str | None = strawberry.field(description="The DOMAIN.md id (or a plugin's own id) that chose the line.")
    basis: DiscountBasis | None = strawberry.field(description="Partner discount line: why this rate (D5, P7).")
    percent: Decimal = strawberry.field(description="Percent of basisMoney, exact.")
    basis_money: MoneyType = strawberry.field(description="What the percentage applies to, in the quote's currency.")
    amount_money: MoneyType = strawberry.field(description="basisMoney × percent / 100, rounded half up to the "
                                               "currency's minor unit (issue 40).")
    source: str = strawberry.field(description="\"policy\" for the built-in policy, else the plugin's name.")
    partner_id: strawberry.Private[int | None]
    approval_id: strawberry.Private[int | None]

    @strawberry.field(description="Percent of basisAmount.", deprecation_reason=rate_deprecated("percent"))
    def rate(self) -> float:
        return float(self.percent)

    @strawberry.field(deprecation_reason=amount_deprecated("basisMoney"))
    def basis_amount(self) -> float:
        return float(self.basis_money.amount)

    @strawberry.field(deprecation_reason=amount_deprecated("amountMoney"))
    def amount(self) -> float:
        return float(self.amount_money.amount)

    @strawberry.field(description="Who receives it (null: the customer, or a partner you may not see).")
    async def partner(self, info: Info) -> PartnerNode | None:
        return await _partner(info, self.partner_id)

    @strawberry.field(description="P8: the approval of a reduced partner discount.")
    async def approval(self, info: Info) -> DiscountApprovalNode | None:
        if self.approval_id is None:
            return None
        row = await info.context.loaders(load_discount_approvals).load(self.approval_id)
        return DiscountApprovalNode.from_row(row) if row else None

    @classmethod
    def from_line(cls, line: discount_rules.DiscountLine) -> "DiscountLine":
        return cls(kind=line.kind, key=line.key, label=line.label, rule=line.rule, basis=line.basis,
                   percent=line.rate, basis_money=MoneyType.of(line.basis_amount),
                   amount_money=MoneyType.of(line.amount), source=line.source, partner_id=line.partner_id,
                   approval_id=line.approval_id)


@strawberry.type(description="A partner's discounts on one opportunity on one date, with the policy in effect "
                 "then (computed, not stored).")
class DiscountQuote:
    quote_date: date = strawberry.field(name="date", description="The policy in effect on this date applies.")
    currency: str = strawberry.field(description="ISO 4217: the opportunity's currency; every amount of the quote "
                                     "is in it (D5).")
    list_money: MoneyType = strawberry.field(description="The amount quoted (input, else the opportunity's amount).")
    route: PurchaseRoute = strawberry.field(description="P10.")
    distributor_name: str | None = strawberry.field(description="P10: the distributor on the distributor route.")
    lines: list[DiscountLine]
    total_money: MoneyType = strawberry.field(description="The exact sum of the lines' amounts (those you may see), "
                                              "never rounded again.")
    opportunity_id: strawberry.Private[int]
    partner_id: strawberry.Private[int]
    policy_id: strawberry.Private[int]

    @strawberry.field(description="The amount quoted (input, else the opportunity's amount).",
                      deprecation_reason=amount_deprecated("listMoney"))
    def list_amount(self) -> float:
        return float(self.list_money.amount)

    @strawberry.field(description="The sum of the lines' amounts (those you may see).",
                      deprecation_reason=amount_deprecated("totalMoney"))
    def total(self) -> float:
        return float(self.total_money.amount)

    @strawberry.field
    async def opportunity(self, info: Info) -> OpportunityNode | None:
        return await _opportunity(info, self.opportunity_id)

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        return await _partner(info, self.partner_id)

    @strawberry.field(description="The policy version used (staff only; null for partner users).")
    async def policy(self, info: Info) -> DiscountPolicyNode | None:
        row = await info.context.loaders(load_discount_policies).load(self.policy_id)
        return DiscountPolicyNode.from_row(row) if row else None

    @classmethod
    def from_quote(cls, q: discounts.Quote) -> "DiscountQuote":
        return cls(quote_date=q.quote_date, currency=q.currency, list_money=MoneyType.of(q.list_amount),
                   route=PurchaseRouteEnum(q.route), distributor_name=q.distributor_name,
                   lines=[DiscountLine.from_line(l) for l in q.lines], total_money=MoneyType.of(q.total),
                   opportunity_id=q.opportunity_id, partner_id=q.partner_id, policy_id=q.policy_id)
