"""Helpers for deal-registration tests: register and move registrations through GraphQL."""

from __future__ import annotations

from tests.schema.sales import ERRORS

FIELDS = """id type status region customerName customerMatched edition seats products submittedAt reviewDueAt
    decisionDueAt approvedAt expiresAt extensionCount reason partner { id name } opportunity { id name }
    assignedAccountExecutive { id } conflicts { id } heldBy { id }"""

REGISTER = f"""
mutation($input: RegisterDealInput!) {{
  registerDeal(input: $input) {{ dealRegistration {{ {FIELDS} }} {ERRORS} }}
}}"""


def mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ dealRegistration {{ {FIELDS} }} {ERRORS} }}
}}"""


ADVANCE = mutation("advanceDealRegistrationReview", "DealRegistrationNoteInput")
RETURN = mutation("returnDealRegistration", "DealRegistrationReasonInput")
RESUBMIT = mutation("resubmitDealRegistration", "ResubmitDealRegistrationInput")
WITHDRAW = mutation("withdrawDealRegistration", "DealRegistrationNoteInput")
APPROVE = mutation("approveDealRegistration", "ApproveDealRegistrationInput")
DENY = mutation("denyDealRegistration", "DealRegistrationReasonInput")
DISSOLVE = mutation("dissolveDealRegistration", "DealRegistrationReasonInput")
EXTEND = mutation("extendDealRegistration", "ExtendDealRegistrationInput")


def deal_input(customer: dict | None = None, **fields) -> dict:
    return {
        "type": "RESALE", "customer": customer or {"prospect": {"name": "Acme, Inc", "website": "https://acme.test"}},
        "products": ["ci-cd"], "edition": "Premium", "seats": 50, "estimatedAmount": 17400.0,
        "expectedCloseDate": "2027-03-31", **fields,
    }


async def call(gql, world, query: str, token: str, **input_fields) -> dict:
    body = await gql(query, {"input": input_fields}, token=world.tokens[token])
    (payload,) = body["data"].values()
    return payload


async def register(gql, world, token: str = "alpha_user", customer: dict | None = None, **fields) -> dict:
    payload = await call(gql, world, REGISTER, token, **deal_input(customer, **fields))
    assert payload["errors"] == [], payload["errors"]
    return payload["dealRegistration"]


async def ok(gql, world, query: str, token: str, **input_fields) -> dict:
    payload = await call(gql, world, query, token, **input_fields)
    assert payload["errors"] == [], payload["errors"]
    return payload["dealRegistration"]


async def to_manager_review(gql, world, reg_id: str, token: str = "cm_amer") -> dict:
    await ok(gql, world, ADVANCE, token, id=reg_id)
    return await ok(gql, world, ADVANCE, token, id=reg_id)


async def approved(gql, world, reg_id: str, token: str = "cm_amer", **extra) -> dict:
    await to_manager_review(gql, world, reg_id, token)
    from tests.schema.sales import gid

    extra.setdefault("accountExecutiveId", gid("User", world.user_ids["ae"]))
    return await ok(gql, world, APPROVE, token, id=reg_id, **extra)
