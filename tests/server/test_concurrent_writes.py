"""No lost update (issue 10), with real concurrent clients against a live uvicorn server,
on SQLite and PostgreSQL: several writes of one opportunity or registration sent at once
with the same expectedVersion → exactly one applies, the others get STALE_VERSION; sent
without it → every one of them applies, none overwrites another's change."""

import asyncio
from datetime import datetime, timedelta

import httpx

from tests.schema.registrations import approved, register
from tests.schema.sales import ERRORS, create_account, create_opportunity, gid

CLIENTS = 5
UPDATE = f"""mutation($input: UpdateOpportunityInput!) {{
  updateOpportunity(input: $input) {{ opportunity {{ name version }} {ERRORS} }} }}"""
EXTEND = f"""mutation($input: ExtendDealRegistrationInput!) {{
  extendDealRegistration(input: $input) {{ dealRegistration {{ extensionCount expiresAt version }} {ERRORS} }} }}"""
ADD_PARTNER = f"""mutation($input: AddOpportunityPartnerInput!) {{
  addOpportunityPartner(input: $input) {{ opportunity {{ version }} {ERRORS} }} }}"""
READ = """query($id: ID!) { node(id: $id) {
  ... on Opportunity { name version partners { partner { name } } }
  ... on DealRegistration { extensionCount expiresAt version } } }"""


async def at_once(url: str, token: str, query: str, inputs: list[dict]) -> list[dict]:
    """Send every mutation at the same moment, each on its own connection."""
    async def one(client: httpx.AsyncClient, variables: dict) -> dict:
        response = await client.post(f"{url}/graphql", json={"query": query, "variables": {"input": variables}},
                                     headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        return payload

    clients = [httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) for _ in inputs]
    try:
        return await asyncio.gather(*(one(c, v) for c, v in zip(clients, inputs)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


async def read(gql, world, node_id: str) -> dict:
    return (await gql(READ, {"id": node_id}, token=world.tokens["admin"]))["data"]["node"]


async def test_same_expected_version_on_one_opportunity_exactly_one_wins(gql, world, cosell_live_server):
    opp = await create_opportunity(gql, world, await create_account(gql, world))
    names = [f"Acme, Inc- {10 * (i + 1)} Premium" for i in range(CLIENTS)]
    results = await at_once(cosell_live_server, world.tokens["sales_ops"], UPDATE,
                            [{"id": opp["id"], "name": name, "expectedVersion": 1} for name in names])
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1, results
    assert all([e["code"] for e in r["errors"]] == ["STALE_VERSION"] for r in results if r["errors"])
    assert await read(gql, world, opp["id"]) == {**{"name": winners[0]["opportunity"]["name"], "version": 2},
                                                 "partners": []}


async def test_concurrent_team_changes_without_versions_all_land_r5(gql, world, cosell_live_server):
    """Each addOpportunityPartner reads the team and settles the primary (R8): run at once,
    none may drop a partner another one added."""
    from server.testing import make_partner

    opp = await create_opportunity(gql, world, await create_account(gql, world))
    partners = [await make_partner(f"Influencer {i}", partner_type="SYSTEM_INTEGRATOR") for i in range(CLIENTS)]
    results = await at_once(cosell_live_server, world.tokens["ae"], ADD_PARTNER, [
        {"opportunityId": opp["id"], "partnerId": gid("Partner", p), "role": "INFLUENCER"} for p in partners])
    assert all(r["errors"] == [] for r in results), results
    now = await read(gql, world, opp["id"])
    assert sorted(p["partner"]["name"] for p in now["partners"]) == [f"Influencer {i}" for i in range(CLIENTS)]
    assert now["version"] == 1 + CLIENTS
    assert sorted(r["opportunity"]["version"] for r in results) == list(range(2, 2 + CLIENTS))


async def test_concurrent_extensions_without_versions_all_add_up_p6(gql, world, cosell_live_server):
    """extendDealRegistration reads expiresAt and extensionCount and adds to them: a lost
    update would keep one extension only."""
    reg = await approved(gql, world, (await register(gql, world))["id"])
    before = await read(gql, world, reg["id"])
    results = await at_once(cosell_live_server, world.tokens["admin"], EXTEND,
                            [{"id": reg["id"], "days": 10} for _ in range(CLIENTS)])
    assert all(r["errors"] == [] for r in results), results
    after = await read(gql, world, reg["id"])
    assert after["extensionCount"] == before["extensionCount"] + CLIENTS
    added = datetime.fromisoformat(after["expiresAt"]) - datetime.fromisoformat(before["expiresAt"])
    assert added == timedelta(days=10 * CLIENTS)
    assert after["version"] == before["version"] + CLIENTS


async def test_same_expected_version_on_one_registration_exactly_one_wins_p6(gql, world, cosell_live_server):
    reg = await approved(gql, world, (await register(gql, world))["id"])
    before = await read(gql, world, reg["id"])
    results = await at_once(cosell_live_server, world.tokens["admin"], EXTEND,
                            [{"id": reg["id"], "days": 10, "expectedVersion": before["version"]}
                             for _ in range(CLIENTS)])
    assert len([r for r in results if not r["errors"]]) == 1, results
    assert sorted(r["errors"][0]["code"] for r in results if r["errors"]) == ["STALE_VERSION"] * (CLIENTS - 1)
    after = await read(gql, world, reg["id"])
    assert (after["extensionCount"], after["version"]) == (before["extensionCount"] + 1, before["version"] + 1)
