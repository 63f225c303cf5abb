"""Issue 16 items 6 and 9: P5 reconsideration takes over the same opportunity (R2, O10, R8),
and an engagement that ends by expiry or closing leaves the team, so the partner no longer
sees the deal (P6, R9)."""

from datetime import datetime, timedelta, timezone

from partners.opportunities.tables import Opportunity
from partners.registrations.tables import DealRegistration
from tests.schema.registrations import APPROVE, DISSOLVE, approved, ok, register
from tests.schema.sales import gid, move_ok, pk

REG = """query($id: ID!) { node(id: $id) { ... on DealRegistration { status opportunity { id name } } } }"""
OPP = """query($id: ID!) { node(id: $id) { ... on Opportunity { id name owner { email }
  partners { role isPrimary partner { name } } } } }"""
MINE = "{ opportunities { totalCount nodes { id } } }"


async def node(gql, world, token: str, query: str, node_id: str) -> dict | None:
    return (await gql(query, {"id": node_id}, token=world.tokens[token]))["data"]["node"]


async def visible_opportunities(gql, world, token: str) -> list[str]:
    return [n["id"] for n in (await gql(MINE, token=world.tokens[token]))["data"]["opportunities"]["nodes"]]


async def _expire(gql, world, cosell_client, reg_id: str) -> None:
    await DealRegistration.update({DealRegistration.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)}
                                  ).where(DealRegistration.id == pk(reg_id))
    assert (await cosell_client.app.state.background.run_once())["registration-expiry"] == 1


async def test_p5_the_reconsidered_registration_takes_over_the_same_opportunity(gql, world):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user", customer={"prospect": {"name": "ACME Inc", "website": ""}})
    deal = (await approved(gql, world, alpha["id"]))["opportunity"]
    assert deal["name"] == "ALPHA - Acme, Inc- 50 Premium"
    await ok(gql, world, DISSOLVE, "cm_amer", id=alpha["id"], reason="Alpha stopped working the deal")
    # No partner left: the former registrant's nickname goes too (R2).
    left = await node(gql, world, "admin", OPP, deal["id"])
    assert (left["name"], left["partners"]) == ("Acme, Inc- 50 Premium", [])
    reconsidered = await node(gql, world, "cm_amer", REG, beta["id"])
    assert reconsidered == {"status": "PENDING_MANAGER_REVIEW", "opportunity": deal | {"name": left["name"]}}
    # Approved without naming an AE: the opportunity's owner keeps it (D1).
    done = await ok(gql, world, APPROVE, "cm_amer", id=beta["id"])
    assert done["opportunity"] == {"id": deal["id"], "name": "BETA - Acme, Inc- 50 Premium"}  # R2 + O10
    assert done["assignedAccountExecutive"] == {"id": gid("User", world.user_ids["ae"])}
    assert await Opportunity.count() == 1, "no second opportunity for the same deal"
    team = await node(gql, world, "admin", OPP, deal["id"])
    assert team["partners"] == [{"role": "DEAL_REGISTRANT", "isPrimary": True, "partner": {"name": "Beta Distribution"}}]
    assert await visible_opportunities(gql, world, "beta_user") == [deal["id"]]  # R9
    assert await visible_opportunities(gql, world, "alpha_user") == []


async def test_p5_after_expiry_the_next_registration_takes_over_too(gql, world, cosell_client):
    alpha = await register(gql, world, "alpha_user")
    beta = await register(gql, world, "beta_user", customer={"prospect": {"name": "Acme"}})
    deal = (await approved(gql, world, alpha["id"]))["opportunity"]
    await _expire(gql, world, cosell_client, alpha["id"])
    done = await ok(gql, world, APPROVE, "cm_amer", id=beta["id"])
    assert done["opportunity"] == {"id": deal["id"], "name": "BETA - Acme, Inc- 50 Premium"}
    assert await Opportunity.count() == 1


async def test_p6_an_expired_registration_leaves_the_team_and_the_partner_loses_sight_of_the_deal_r9(
        gql, world, cosell_client):
    reg = await approved(gql, world, (await register(gql, world))["id"])
    deal = reg["opportunity"]
    assert await visible_opportunities(gql, world, "alpha_user") == [deal["id"]]
    await _expire(gql, world, cosell_client, reg["id"])
    # The partner still sees its registration (EXPIRED), not the opportunity.
    assert await node(gql, world, "alpha_user", REG, reg["id"]) == {"status": "EXPIRED", "opportunity": None}
    assert await node(gql, world, "alpha_user", OPP, deal["id"]) is None
    assert await visible_opportunities(gql, world, "alpha_user") == []
    staff = await node(gql, world, "admin", OPP, deal["id"])
    assert (staff["name"], staff["partners"]) == ("Acme, Inc- 50 Premium", [])
    assert (await node(gql, world, "admin", REG, reg["id"]))["opportunity"]["id"] == deal["id"]


async def test_p6_a_registration_closed_with_its_lost_opportunity_leaves_the_team_r9(gql, world):
    reg = await approved(gql, world, (await register(gql, world))["id"])
    deal = reg["opportunity"]
    await move_ok(gql, world, deal["id"], "DISCOVERY")
    body = await gql("""mutation($id: ID!) { moveOpportunityStage(input: {id: $id, stage: CLOSED_LOST,
        lossReason: NO_BUDGET}) { errors { code rule } } }""", {"id": deal["id"]}, token=world.tokens["ae"])
    assert body["data"]["moveOpportunityStage"]["errors"] == []
    assert await node(gql, world, "alpha_user", REG, reg["id"]) == {"status": "CLOSED", "opportunity": None}
    assert await node(gql, world, "alpha_user", OPP, deal["id"]) is None
    assert (await node(gql, world, "admin", OPP, deal["id"]))["partners"] == []
