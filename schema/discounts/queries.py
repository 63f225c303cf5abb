"""Discount reads: the policy versions (staff) and quotes (anyone signed in, scoped)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from partners.discounts import quotes as discounts
from partners.infra.errors import DomainError, Violation
from partners.money import to_decimal
from partners.discounts.rules import PaidPoc, Tender
from partners.discounts.scoping import discount_policy_scope
from partners.discounts.tables import DiscountPolicy
from partners.people.scoping import scoped
from schema.core.access import AUTHENTICATED, STAFF, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.errors import UserError
from schema.core.money import MoneyInput
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.discounts.percent import amount_deprecated, pick_percent, rate_deprecated
from schema.discounts.types import DiscountApprovalNode, DiscountPolicyNode, DiscountQuote
from schema.identity.types import PartnerNode
from schema.opportunities.types import OpportunityNode


@strawberry.input(description="P7: the deal went to tender.")
class TenderInput:
    published_on: date = strawberry.field(description="A partner whose registration was submitted before this day "
                                          "keeps its sourced rate; every other bidder gets the co-sell rate.")


@strawberry.input(description="D6: a Paid POC (a customer discount line from the matrix).")
class PaidPocInput:
    users: int = strawberry.field(description="5–20 (the policy's bounds).")
    months: int = strawberry.field(description="At least 12.")


@strawberry.input(description="A partner's discounts on one opportunity. Partner users quote their own partner "
                  "on opportunities they see (R9).")
class DiscountQuoteInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID
    date: date | None = strawberry.field(default=None, description="Default: today (UTC). The policy in effect on "
                                         "this date applies.")
    amount_money: MoneyInput | None = strawberry.field(
        default=None, description="The list amount, in the opportunity's currency (another currency: "
                                  "CURRENCY_MISMATCH; more decimals than it has: TOO_MANY_DECIMALS); default: the "
                                  "opportunity's amount.")
    amount: float | None = strawberry.field(default=None, description="The list amount in the opportunity's "
                                            "currency (read as written: 12.3 is 12.30).",
                                            deprecation_reason=amount_deprecated("amountMoney"))
    tender: TenderInput | None = None
    paid_poc: PaidPocInput | None = None
    requested_percent: Decimal | None = strawberry.field(
        default=None, description="P8: a partner discount (percent, exact) in place of the standard one: refused "
                                  "above it; below it only with `approvalId` (compared exactly: 12.49 on a 12.5 "
                                  "line is a reduction).")
    requested_rate: float | None = strawberry.field(
        default=None, description="P8: as requestedPercent, read as written.",
        deprecation_reason=rate_deprecated("requestedPercent"))
    approval_id: strawberry.ID | None = strawberry.field(
        default=None, description="P8: a DiscountApproval of exactly `requestedPercent` for this opportunity and "
                                  "partner.")


@strawberry.type
class DiscountQuotePayload:
    quote: DiscountQuote | None
    errors: list[UserError]


@strawberry.type
class DiscountQuery:
    @strawberry.field(description="A partner's discount lines on an opportunity (D5, D6, P7–P10) and their total. "
                      "Refusals (P8, D6, no policy in effect …) are `errors`.", extensions=[access(AUTHENTICATED)])
    async def discount_quote(self, info: Info, input: DiscountQuoteInput) -> DiscountQuotePayload:
        principal = require_principal(info)
        found: list[Violation] = []
        requested = pick_percent(input.requested_percent, input.requested_rate, (), "requestedPercent",
                                 "requestedRate", required=False, rule="P8", found=found)
        req = discounts.QuoteRequest(
            opportunity_id=decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId"),
            partner_id=decode_node_id(info, input.partner_id, PartnerNode, "partnerId"),
            quote_date=input.date, amount=_requested_amount(input, found),
            tender=Tender(input.tender.published_on) if input.tender else None,
            paid_poc=PaidPoc(input.paid_poc.users, input.paid_poc.months) if input.paid_poc else None,
            requested_rate=requested,
            rate_field="requestedRate" if input.requested_rate is not None else "requestedPercent",
            approval_id=decode_node_id(info, input.approval_id, DiscountApprovalNode, "approvalId")
            if input.approval_id else None,
        )
        if found:
            return DiscountQuotePayload(quote=None, errors=UserError.from_domain_error(DomainError(found)))
        result, errors = await call_domain(discounts.quote(principal, info.context.plugins, req))
        return DiscountQuotePayload(quote=DiscountQuote.from_quote(result) if result else None, errors=errors)

    @strawberry.field(description="The discount policy versions, oldest first (staff).", extensions=[access(STAFF)])
    async def discount_policies(self, info: Info, first: int | None = None,
                                after: str | None = None) -> Connection[DiscountPolicyNode]:
        scope = discount_policy_scope(info.context.principal)
        query = scoped(DiscountPolicy.select(), scope).order_by(DiscountPolicy.effective_from)
        return await paginate(info, query, scoped(DiscountPolicy.count(), scope), first=first, after=after,
                              to_node=DiscountPolicyNode.from_row)


def _requested_amount(input: DiscountQuoteInput, found: list[Violation]) -> discounts.RequestedAmount | None:
    """amountMoney, or the deprecated Float amount by its repr (in the opportunity's currency)."""
    if input.amount_money is not None and input.amount is not None:
        found.append(Violation("AMBIGUOUS_AMOUNT", "Give amountMoney or the deprecated amount, not both.",
                               ("amountMoney",), "D5"))
        return None
    if input.amount_money is not None:
        return discounts.RequestedAmount(input.amount_money.amount, input.amount_money.currency, "amountMoney")
    if input.amount is not None:
        return discounts.RequestedAmount(to_decimal(input.amount), None, "amount")
    return None
