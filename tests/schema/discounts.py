"""Helpers for discount tests: a policy, quotes and approvals through GraphQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from partners.infra.clock import now
from tests.schema.sales import ERRORS, gid

# Example rates (percent, exact decimals as the API takes them) per track × registration type (D5).
RATES = {"OPEN": {"RESALE": "10", "REFERRAL": "5", "MSP": "8"},
         "SELECT": {"RESALE": "20", "REFERRAL": "10", "MSP": "15"},
         "SELECT_SERVICES": {"RESALE": "18", "REFERRAL": "9", "MSP": "12"}}


def today() -> date:
    return now().date()


def policy_input(effective_from: str = "2020-01-01", *, co_sell: str | float = "7.5", rates: dict | None = None,
                 **fields) -> dict:
    """A policy version with the exact (Decimal) fields; numbers are sent as written."""
    rates = rates or RATES
    return {
        "effectiveFrom": effective_from, "coSellPercent": str(co_sell),
        "programRates": [{"track": t, "registrationType": k, "percent": str(r)}
                         for t, by_type in rates.items() for k, r in by_type.items()],
        "distributorMarginPercent": "3",
        "pocRates": [{"minUsers": 5, "maxUsers": 10, "percent": "10"}, {"minUsers": 11, "maxUsers": 20, "percent": "15"}],
        **fields,
    }


ADD_POLICY = f"""mutation($input: AddDiscountPolicyInput!) {{
  addDiscountPolicy(input: $input) {{ discountPolicy {{ id effectiveFrom effectiveTo coSellPercent }} {ERRORS} }}
}}"""


async def add_policy(gql, world, token: str = "admin", **kwargs) -> dict:
    body = await gql(ADD_POLICY, {"input": policy_input(**kwargs)}, token=world.tokens[token])
    return body["data"]["addDiscountPolicy"]


async def add_policy_ok(gql, world, **kwargs) -> dict:
    payload = await add_policy(gql, world, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["discountPolicy"]


MONEY = "{ amount currency }"
LINE = (f"kind key label rule basis percent basisMoney {MONEY} amountMoney {MONEY} source partner {{ name }} "
        "approval { id percent }")
QUOTE = f"""query($input: DiscountQuoteInput!) {{
  discountQuote(input: $input) {{
    quote {{ date currency listMoney {MONEY} route distributorName totalMoney {MONEY} lines {{ {LINE} }}
             policy {{ id }} partner {{ name }} }}
    {ERRORS}
  }}
}}"""


async def quote_payload(gql, world, opportunity_id: str, partner: str | int, token: str = "admin", **fields) -> dict:
    partner_id = world.partners[partner] if isinstance(partner, str) else partner
    body = await gql(QUOTE, {"input": {"opportunityId": opportunity_id, "partnerId": gid("Partner", partner_id),
                                       **fields}}, token=world.tokens[token])
    return body["data"]["discountQuote"]


async def quote(gql, world, opportunity_id: str, partner: str | int, token: str = "admin", **fields) -> dict:
    payload = await quote_payload(gql, world, opportunity_id, partner, token, **fields)
    assert payload["errors"] == [], payload["errors"]
    return payload["quote"]


def line(quote_: dict, kind: str = "PARTNER_DISCOUNT") -> dict:
    (found,) = [l for l in quote_["lines"] if l["kind"] == kind]
    return found


def pct(line_: dict) -> Decimal:
    """A line's exact percentage (the `Decimal` scalar is a string)."""
    return Decimal(line_["percent"])


def amount(line_or_quote: dict, field: str = "amountMoney") -> Decimal:
    """An amount of a line (amountMoney, basisMoney) or a quote (totalMoney, listMoney)."""
    return Decimal(line_or_quote[field]["amount"])


def total(quote_: dict) -> Decimal:
    return amount(quote_, "totalMoney")


APPROVE = f"""mutation($input: ApproveDiscountReductionInput!) {{
  approveDiscountReduction(input: $input) {{ discountApproval {{ id percent reason approvedBy {{ email }} }} {ERRORS} }}
}}"""


async def approve_reduction(gql, world, opportunity_id: str, partner: str, rate: str | float, token: str = "cm_amer",
                            reason: str = "Customer budget; partner agreed") -> dict:
    body = await gql(APPROVE, {"input": {"opportunityId": opportunity_id, "partnerId": gid("Partner", world.partners[partner]),
                                         "percent": str(rate), "reason": reason}}, token=world.tokens[token])
    return body["data"]["approveDiscountReduction"]


def iso(day: date, days: int = 0) -> str:
    return (day + timedelta(days=days)).isoformat()
