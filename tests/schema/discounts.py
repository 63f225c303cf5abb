"""Helpers for discount tests: a policy, quotes and approvals through GraphQL."""

from __future__ import annotations

from datetime import date, timedelta

from partners.infra.clock import now
from tests.schema.sales import ERRORS, gid

# Example rates (percent) per track × registration type (D5).
RATES = {"OPEN": {"RESALE": 10.0, "REFERRAL": 5.0, "MSP": 8.0},
         "SELECT": {"RESALE": 20.0, "REFERRAL": 10.0, "MSP": 15.0},
         "SELECT_SERVICES": {"RESALE": 18.0, "REFERRAL": 9.0, "MSP": 12.0}}


def today() -> date:
    return now().date()


def policy_input(effective_from: str = "2020-01-01", *, co_sell: float = 7.5, rates: dict | None = None,
                 **fields) -> dict:
    rates = rates or RATES
    return {
        "effectiveFrom": effective_from, "coSellRate": co_sell,
        "programRates": [{"track": t, "registrationType": k, "rate": r}
                         for t, by_type in rates.items() for k, r in by_type.items()],
        "distributorMarginRate": 3.0,
        "pocRates": [{"minUsers": 5, "maxUsers": 10, "rate": 10.0}, {"minUsers": 11, "maxUsers": 20, "rate": 15.0}],
        **fields,
    }


ADD_POLICY = f"""mutation($input: AddDiscountPolicyInput!) {{
  addDiscountPolicy(input: $input) {{ discountPolicy {{ id effectiveFrom effectiveTo coSellRate }} {ERRORS} }}
}}"""


async def add_policy(gql, world, token: str = "admin", **kwargs) -> dict:
    body = await gql(ADD_POLICY, {"input": policy_input(**kwargs)}, token=world.tokens[token])
    return body["data"]["addDiscountPolicy"]


async def add_policy_ok(gql, world, **kwargs) -> dict:
    payload = await add_policy(gql, world, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["discountPolicy"]


LINE = "kind key label rule basis rate basisAmount amount source partner { name } approval { id rate }"
QUOTE = f"""query($input: DiscountQuoteInput!) {{
  discountQuote(input: $input) {{
    quote {{ date listAmount route distributorName total lines {{ {LINE} }} policy {{ id }} partner {{ name }} }}
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


APPROVE = f"""mutation($input: ApproveDiscountReductionInput!) {{
  approveDiscountReduction(input: $input) {{ discountApproval {{ id rate reason approvedBy {{ email }} }} {ERRORS} }}
}}"""


async def approve_reduction(gql, world, opportunity_id: str, partner: str, rate: float, token: str = "cm_amer",
                            reason: str = "Customer budget; partner agreed") -> dict:
    body = await gql(APPROVE, {"input": {"opportunityId": opportunity_id, "partnerId": gid("Partner", world.partners[partner]),
                                         "rate": rate, "reason": reason}}, token=world.tokens[token])
    return body["data"]["approveDiscountReduction"]


def iso(day: date, days: int = 0) -> str:
    return (day + timedelta(days=days)).isoformat()
