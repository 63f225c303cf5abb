"""Helpers for account and opportunity tests: create records through GraphQL as a real
client would, and read back the `UserError`s."""

from __future__ import annotations

import base64

from partners.infra.clock import now
from partners.opportunities.enums import OpportunityPartnerRole
from partners.opportunities.tables import OpportunityPartner


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


ERRORS = "errors { code message field rule }"

CREATE_ACCOUNT = f"""
mutation($input: CreateAccountInput!) {{
  createAccount(input: $input) {{
    account {{ id name segment effectiveEmployeeCount screeningStatus }}
    {ERRORS}
  }}
}}"""

SET_SCREENING = f"""
mutation($input: SetAccountScreeningStatusInput!) {{
  setAccountScreeningStatus(input: $input) {{ account {{ id screeningStatus }} {ERRORS} }}
}}"""

CREATE_CONTACT = f"""
mutation($input: CreateContactInput!) {{
  createContact(input: $input) {{ contact {{ id name }} {ERRORS} }}
}}"""

CREATE_OPPORTUNITY = f"""
mutation($input: CreateOpportunityInput!) {{
  createOpportunity(input: $input) {{
    opportunity {{ id name stage type salesQualifiedSource accountName }}
    {ERRORS}
  }}
}}"""

MOVE_STAGE = f"""
mutation($input: MoveOpportunityStageInput!) {{
  moveOpportunityStage(input: $input) {{
    opportunity {{
      id stage salesAcceptedAt salesQualified salesQualifiedAt initialIacv closedAt lossReason
      duplicateOf {{ id }} mergedInto {{ id }}
    }}
    {ERRORS}
  }}
}}"""


async def create_account(gql, world, *, token: str = "sales_ops", clear: bool = True, **fields) -> str:
    body = await gql(CREATE_ACCOUNT, {"input": {"name": "Acme, Inc", **fields}}, token=world.tokens[token])
    payload = body["data"]["createAccount"]
    assert payload["errors"] == [], payload["errors"]
    account_id = payload["account"]["id"]
    if clear:
        await set_screening(gql, world, account_id, "CLEAR")
    return account_id


async def set_screening(gql, world, account_id: str, status: str) -> None:
    body = await gql(SET_SCREENING, {"input": {"id": account_id, "status": status}}, token=world.tokens["sales_ops"])
    assert body["data"]["setAccountScreeningStatus"]["errors"] == []


async def create_contact(gql, world, account_id: str, name: str = "Pat Buyer") -> str:
    body = await gql(CREATE_CONTACT, {"input": {"accountId": account_id, "name": name, "email": f"{name.split()[0].lower()}@acme.test"}},
                     token=world.tokens["ae"])
    payload = body["data"]["createContact"]
    assert payload["errors"] == [], payload["errors"]
    return payload["contact"]["id"]


async def create_opportunity(gql, world, account_id: str, *, token: str = "ae", **fields) -> dict:
    values = {"accountId": account_id, "name": "Acme, Inc- 50 Premium", "amount": 12000.0, "netArr": 12000.0, **fields}
    body = await gql(CREATE_OPPORTUNITY, {"input": values}, token=world.tokens[token])
    payload = body["data"]["createOpportunity"]
    assert payload["errors"] == [], payload["errors"]
    return payload["opportunity"]


async def move(gql, world, opportunity_id: str, stage: str, *, token: str = "ae", **extra) -> dict:
    body = await gql(MOVE_STAGE, {"input": {"id": opportunity_id, "stage": stage, **extra}}, token=world.tokens[token])
    return body["data"]["moveOpportunityStage"]


async def move_ok(gql, world, opportunity_id: str, *stages: str, token: str = "ae") -> dict:
    result = {}
    for stage in stages:
        result = await move(gql, world, opportunity_id, stage, token=token)
        assert result["errors"] == [], (stage, result["errors"])
    return result["opportunity"]


TEAM = "opportunity { id name primaryReason primaryPartner { id name } partners { role isPrimary partner { name } } }"

ADD_PARTNER = f"""
mutation($input: AddOpportunityPartnerInput!) {{
  addOpportunityPartner(input: $input) {{ {TEAM} {ERRORS} }}
}}"""

REMOVE_PARTNER = f"""
mutation($input: RemoveOpportunityPartnerInput!) {{
  removeOpportunityPartner(input: $input) {{ {TEAM} {ERRORS} }}
}}"""

SET_PRIMARY = f"""
mutation($input: SetPrimaryPartnerInput!) {{
  setPrimaryPartner(input: $input) {{ {TEAM} {ERRORS} }}
}}"""


async def add_partner(gql, world, opportunity_id: str, partner: str | int, role: str, *, is_primary: bool = False,
                      token: str = "ae", **extra) -> dict:
    """addOpportunityPartner; `partner` is a world partner key or a partner id; `extra` more
    input fields (`name`). Returns the payload."""
    partner_id = world.partners[partner] if isinstance(partner, str) else partner
    body = await gql(ADD_PARTNER, {"input": {"opportunityId": opportunity_id, "partnerId": gid("Partner", partner_id),
                                             "role": role, "isPrimary": is_primary, **extra}},
                     token=world.tokens[token])
    return body["data"]["addOpportunityPartner"]


async def add_partner_ok(gql, world, opportunity_id: str, partner: str | int, role: str, **kwargs) -> dict:
    payload = await add_partner(gql, world, opportunity_id, partner, role, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["opportunity"]


async def put_partner(opportunity_id: str, partner_id: int, role: OpportunityPartnerRole, primary: bool = False) -> None:
    """A raw team row, bypassing the rules: only for tests that read (e.g. statement counts)."""
    await OpportunityPartner(opportunity=pk(opportunity_id), partner=partner_id, role=role.value,
                             is_primary=primary, created_at=now()).save()


async def make_registrant(gql, world, opportunity_id: str, partner: str | int, *, token: str = "ae") -> dict:
    """Put a partner on the team as DEAL_REGISTRANT the way an approved registration does
    (the team row, then the precedence settles it); `addOpportunityPartner` refuses that role
    (P5, issue 16). The settling write is `setPrimaryPartner` without a partner, through
    GraphQL, so the app's own rule and precedence plugins decide; returns its payload."""
    partner_id = world.partners[partner] if isinstance(partner, str) else partner
    await put_partner(opportunity_id, partner_id, OpportunityPartnerRole.DEAL_REGISTRANT)
    body = await gql(SET_PRIMARY, {"input": {"opportunityId": opportunity_id}}, token=world.tokens[token])
    return body["data"]["setPrimaryPartner"]


async def make_registrant_ok(gql, world, opportunity_id: str, partner: str | int, **kwargs) -> dict:
    payload = await make_registrant(gql, world, opportunity_id, partner, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["opportunity"]


def only_error(payload: dict) -> dict:
    assert payload["errors"], "expected a refusal"
    assert len(payload["errors"]) == 1, payload["errors"]
    return payload["errors"][0]
