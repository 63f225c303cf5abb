"""Issue 33 item 5: denying a partner (P1) re-settles every open team it is on. It is
primary on none (R6): its registrant places go with their registrations (P5), its other
places stay as an unofficial partner's (docs/api.md), an explicit choice of it goes, the
precedence chooses again (R7, R8) and the name follows the new primary or loses the denied
partner's nickname (R2). Authorized again, the same teams are settled again (R7 wants a
primary beside an authorized reseller). Closed opportunities keep their team as it was
closed. Everything through GraphQL, on the engine the suite runs on."""

from __future__ import annotations

from server.testing import make_partner
from tests.schema.program import AUTHORIZE, DENY, ok
from tests.schema.registrations import approved, register
from tests.schema.sales import add_partner_ok, create_account, create_opportunity, gid, move_ok

TEAM_OF = """query($id: ID!) { node(id: $id) { ... on Opportunity { name version primaryReason
  primaryPartner { name } partners { role isPrimary partner { name } } } } }"""
ALPHA, BETA, GAMMA = "Alpha Resellers", "Beta Distribution", "Gamma Partners"


async def team_of(gql, world, opportunity_id: str) -> dict:
    body = await gql(TEAM_OF, {"id": opportunity_id}, token=world.tokens["admin"])
    return body["data"]["node"]


def summary(node: dict) -> tuple:
    return (node["name"], node["primaryReason"], (node["primaryPartner"] or {}).get("name"),
            sorted((p["partner"]["name"], p["role"], p["isPrimary"]) for p in node["partners"]))


async def opportunity(gql, world, customer: str, name: str) -> str:
    account = await create_account(gql, world, name=customer, website=f"{customer.lower().split(',')[0]}.test")
    return (await create_opportunity(gql, world, account, name=name))["id"]


async def test_r6_a_denied_partner_is_primary_on_no_open_team_and_the_names_follow(gql, world):
    world.partners["gamma"] = await make_partner(GAMMA, nickname="GAMMA")

    # Alpha alone: primary as the only authorized reseller (R7), its nickname in front (R2).
    alone = await opportunity(gql, world, "Acme, Inc", "Acme, Inc- 50 Premium")
    settled = await add_partner_ok(gql, world, alone, "alpha", "RESELLER", name="ALPHA - Acme, Inc- 50 Premium")
    assert (settled["primaryReason"], settled["name"]) == ("authorized reseller (R7)", "ALPHA - Acme, Inc- 50 Premium")

    # Alpha first of two resellers: the earliest is primary (R8 fallback).
    shared = await opportunity(gql, world, "Globex", "Globex- 10 Premium")
    await add_partner_ok(gql, world, shared, "alpha", "RESELLER", name="ALPHA - Globex- 10 Premium")
    settled = await add_partner_ok(gql, world, shared, "gamma", "RESELLER")
    assert settled["primaryPartner"]["name"] == ALPHA

    # Alpha chosen by hand over beta, the distributor R8 would choose.
    chosen = await opportunity(gql, world, "Initech", "Initech- 5 Premium")
    await add_partner_ok(gql, world, chosen, "beta", "DISTRIBUTOR", name="BETA - Initech- 5 Premium")
    settled = await add_partner_ok(gql, world, chosen, "alpha", "RESELLER", is_primary=True,
                                   name="ALPHA - Initech- 5 Premium")
    assert settled["primaryReason"].startswith("set by ")

    # Alpha the approved registrant, gamma reselling too.
    registration = await approved(gql, world, (await register(gql, world, customer={
        "prospect": {"name": "Umbrella", "website": "umbrella.test"}}))["id"])
    registered = registration["opportunity"]["id"]
    settled = await add_partner_ok(gql, world, registered, "gamma", "RESELLER")
    assert settled["primaryReason"] == "deal registrant (R8)" and settled["name"].startswith("ALPHA - ")
    registered_name = settled["name"].removeprefix("ALPHA - ")

    # Alpha on a deal already won: its team stays as it was closed.
    won = await opportunity(gql, world, "Hooli", "Hooli- 20 Premium")
    await add_partner_ok(gql, world, won, "alpha", "RESELLER", name="ALPHA - Hooli- 20 Premium")
    await move_ok(gql, world, won, "CLOSED_WON", token="admin")

    opportunities = (alone, shared, chosen, registered, won)
    before = {opp: await team_of(gql, world, opp) for opp in opportunities}
    await ok(gql, DENY, world.tokens["cm_amer"], id=gid("Partner", world.partners["alpha"]), reason="Left the program")
    denied = {opp: await team_of(gql, world, opp) for opp in opportunities}

    assert summary(denied[alone]) == ("Acme, Inc- 50 Premium", None, None, [(ALPHA, "RESELLER", False)])
    assert summary(denied[shared]) == ("GAMMA - Globex- 10 Premium", "authorized reseller (R7)", GAMMA,
                                       [(ALPHA, "RESELLER", False), (GAMMA, "RESELLER", True)])
    assert summary(denied[chosen]) == ("BETA - Initech- 5 Premium", "distributor (R8)", BETA,
                                       [(ALPHA, "RESELLER", False), (BETA, "DISTRIBUTOR", True)])
    assert summary(denied[registered]) == (f"GAMMA - {registered_name}", "authorized reseller (R7)", GAMMA,
                                           [(GAMMA, "RESELLER", True)])
    assert summary(denied[won]) == summary(before[won])
    # Each open opportunity moved by exactly one version; the won one did not move.
    assert [denied[opp]["version"] - before[opp]["version"] for opp in opportunities] == [1, 1, 1, 1, 0]

    # Authorized again: the precedence may choose it again (R8), R7 holds; the hand-made
    # choice went with the denial.
    await ok(gql, AUTHORIZE, world.tokens["cm_amer"], id=gid("Partner", world.partners["alpha"]), reason="Back")
    again = {opp: await team_of(gql, world, opp) for opp in opportunities}
    assert summary(again[alone]) == summary(before[alone])
    assert summary(again[shared]) == summary(before[shared])
    assert summary(again[chosen]) == ("BETA - Initech- 5 Premium", "distributor (R8)", BETA,
                                      [(ALPHA, "RESELLER", False), (BETA, "DISTRIBUTOR", True)])
    assert summary(again[registered]) == summary(denied[registered])  # the registration stays dissolved
    assert summary(again[won]) == summary(before[won])
