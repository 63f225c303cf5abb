"""Query cost (objects × page sizes) reported in extensions.cost, a maximum per query,
and a per-user budget per minute kept in the database (shared by every instance)."""

import asyncio
import time

import pytest

TOKENS = "{ viewer { apiTokens(first: 10) { totalCount nodes { name } edges { node { prefix } } } } }"


@pytest.fixture
async def clear_of_minute_boundary():
    # Budgets use one-minute windows; a test straddling a boundary would see two budgets.
    if time.time() % 60 > 55:
        await asyncio.sleep(60 - time.time() % 60 + 0.1)


async def test_cost_is_reported(gql, world):
    body = await gql("{ viewer { name partner { name } } }", token=world.tokens["alpha_user"])
    cost = body["extensions"]["cost"]
    assert cost["requested"] == 2 and cost["maxQueryCost"] == 5000
    assert cost["limit"] == 50000 and 0 < cost["remaining"] <= 50000 - 2
    # viewer 1 + connection (1 + 10 × (nodes 1 + edges' node 1)) = 22
    assert (await gql(TOKENS, token=world.tokens["ae"]))["extensions"]["cost"]["requested"] == 22


async def test_cost_follows_page_sizes_variables_and_list_arguments(gql, world):
    query = "query($n: Int) { viewer { apiTokens(first: $n) { nodes { name } } } }"
    assert (await gql(query, {"n": 3}, token=world.tokens["ae"]))["extensions"]["cost"]["requested"] == 1 + 1 + 3
    assert (await gql(query, {}, token=world.tokens["ae"]))["extensions"]["cost"]["requested"] == 1 + 1 + 20
    nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { partner { name } } } }"
    body = await gql(nodes, {"ids": ["a", "b", "c"]}, token=world.tokens["admin"], errors=True)
    assert body["extensions"]["cost"]["requested"] == 3 * 2
    introspection = await gql("{ __schema { types { name fields { name } } } }")
    assert introspection["extensions"]["cost"]["requested"] == 0


async def test_a_too_costly_query_is_refused_before_execution(cosell_app_factory, world):
    async with cosell_app_factory(max_query_cost=21) as client:
        response = await client.post("/graphql", json={"query": TOKENS}, headers={"Authorization": f"Bearer {world.tokens['ae']}"})
    body = response.json()
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY" and error["extensions"]["cost"] == 22
    assert body["extensions"]["sqlStatements"] == 1  # the token lookup; no resolver ran


async def test_over_budget_is_throttled_with_a_retry_hint_across_instances(cosell_app_factory, world, clear_of_minute_boundary):
    query = {"query": "{ viewer { name partner { name } } }"}  # costs 2
    headers = {"Authorization": f"Bearer {world.tokens['alpha_user']}"}
    async with cosell_app_factory(cost_budget_per_minute=10) as one, cosell_app_factory(cost_budget_per_minute=10) as two:
        for client in (one, two, one, two, one):
            assert (await client.post("/graphql", json=query, headers=headers)).status_code == 200
        throttled = await two.post("/graphql", json=query, headers=headers)
        assert throttled.status_code == 429
        error = throttled.json()["errors"][0]
        assert error["extensions"]["code"] == "THROTTLED"
        assert 1 <= error["extensions"]["retryAfter"] <= 60
        assert throttled.headers["retry-after"] == str(error["extensions"]["retryAfter"])
        other_user = await one.post("/graphql", json=query, headers={"Authorization": f"Bearer {world.tokens['beta_user']}"})
        assert other_user.status_code == 200


async def test_a_throttled_mutation_is_audited_as_refused(cosell_app_factory, gql, world, clear_of_minute_boundary):
    create = 'mutation { createApiToken(input: {name: "x"}) { apiToken { name } } }'  # costs 2
    async with cosell_app_factory(cost_budget_per_minute=1) as client:
        response = await client.post("/graphql", json={"query": create}, headers={"Authorization": f"Bearer {world.tokens['sdr']}"})
    assert response.status_code == 429
    log = await gql("{ auditLog { nodes { mutation result errorCodes } } }", token=world.tokens["admin"])
    assert log["data"]["auditLog"]["nodes"] == [{"mutation": "createApiToken", "result": "REFUSED", "errorCodes": ["THROTTLED"]}]


async def test_page_sizes_inside_input_objects_count_and_the_actual_cost_is_reported(gql, world):
    """Issue 16 item 16: `first` counts wherever it sits (inside the locator's input), the
    default page size when the field takes one but it is not given; `extensions.cost.actual`
    counts what was returned (Shopify-like)."""
    token = world.tokens["ae"]
    locator = "query($input: PartnerLocatorInput) { partnerLocator(input: $input) { totalCount nodes { name } } }"
    body = await gql(locator, {"input": {"first": 100}}, token=token)
    assert body["extensions"]["cost"]["requested"] == 1 + 100
    assert len(body["data"]["partnerLocator"]["nodes"]) == 2
    assert body["extensions"]["cost"]["actual"] == 1 + 2
    literal = await gql("{ partnerLocator(input: {first: 50}) { nodes { name } } }", token=token)
    assert literal["extensions"]["cost"]["requested"] == 1 + 50
    assert (await gql(locator, {}, token=token))["extensions"]["cost"]["requested"] == 1 + 20
    # viewer 1 + connection 1 + one token × (nodes 1 + edges' node 1)
    tokens = await gql(TOKENS, token=token)
    assert tokens["extensions"]["cost"]["requested"] == 22 and tokens["extensions"]["cost"]["actual"] == 4


async def test_actual_cost_counts_fragments_nested_lists_and_aliases_once_per_returned_object(gql, world):
    """Each returned object costs 1 (connections 1 plus their page; edges and pageInfo are
    structure), however the document reaches it: through a fragment, an inline fragment,
    an alias, a nested list."""
    from tests.schema.sales import add_partner_ok, create_account, create_contact, create_opportunity

    account = await create_account(gql, world, name="Cost, Inc")
    contacts = [{"contactId": await create_contact(gql, world, account, name), "isPrimary": i == 0}
                for i, name in enumerate(("Pat Buyer", "Sam Engineer"))]
    opportunity = await create_opportunity(gql, world, account, contacts=contacts, name="ALPHA - Cost, Inc- 50 Premium")
    await add_partner_ok(gql, world, opportunity["id"], "alpha", "RESELLER", is_primary=True)
    query = """
    query { viewer { name }
      mine: opportunities(first: 5) { pageInfo { hasNextPage }
        edges { cursor node { ...Team ... on Opportunity { account { name } } } } } }
    fragment Team on Opportunity { id partners { role partner { name } } contacts { contact { name } } }"""
    body = await gql(query, token=world.tokens["ae"])
    nodes = [edge["node"] for edge in body["data"]["mine"]["edges"]]
    per_node = [1 + (n["account"] is not None) + sum(1 + (p["partner"] is not None) for p in n["partners"])
                + sum(1 + (c["contact"] is not None) for c in n["contacts"]) for n in nodes]
    assert any(len(n["contacts"]) == 2 and len(n["partners"]) == 1 for n in nodes)
    # viewer 1 + the connection 1 + each node with its account, team and contacts
    assert body["extensions"]["cost"]["actual"] == 1 + 1 + sum(per_node)


async def test_anonymous_callers_have_a_budget_per_ip(cosell_app_factory, world, clear_of_minute_boundary):
    """Issue 16 item 17: without a token, each request spends 1 point from its IP's
    budget, introspection and invalid documents included; over it, 429 THROTTLED before
    anything runs. Another address, and signed-in callers, are not affected."""
    import httpx

    introspection = {"query": "{ __schema { types { name } } }"}
    async with cosell_app_factory(anonymous_budget_per_minute=5) as client:
        for _ in range(3):
            assert (await client.post("/graphql", json=introspection)).status_code == 200
        assert (await client.post("/graphql", json={"query": "{ viewr }"})).status_code == 200  # hints: 1 point
        viewer = await client.post("/graphql", json={"query": "{ viewer { name } }"})
        assert viewer.json()["data"] == {"viewer": None}
        throttled = await client.post("/graphql", json=introspection)
        assert throttled.status_code == 429
        error = throttled.json()["errors"][0]
        assert error["extensions"]["code"] == "THROTTLED" and 1 <= error["extensions"]["retryAfter"] <= 60
        assert throttled.headers["retry-after"] == str(error["extensions"]["retryAfter"])
        signed_in = await client.post("/graphql", json=introspection, headers={"Authorization": f"Bearer {world.tokens['ae']}"})
        assert signed_in.status_code == 200
        other = httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app, client=("10.1.2.3", 4000)),
                                  base_url="http://cosell.test")
        async with other:
            assert (await other.post("/graphql", json=introspection)).status_code == 200


async def test_operators_can_require_a_token_for_introspection(cosell_app_factory, world):
    """Issue 16 item 17: COSELL_INTROSPECTION_REQUIRES_TOKEN=1 refuses `__schema`/`__type`
    and "Did you mean" hints to anonymous callers; signed-in callers keep both."""
    introspection = {"query": '{ __type(name: "Query") { name } }'}
    typo = {"query": "{ viewr { id } }"}
    token = {"Authorization": f"Bearer {world.tokens['alpha_user']}"}
    async with cosell_app_factory(introspection_requires_token=True) as client:
        anonymous = (await client.post("/graphql", json=introspection)).json()
        assert anonymous["data"] is None and "introspection" in anonymous["errors"][0]["message"]
        assert "Did you mean" not in (await client.post("/graphql", json=typo)).json()["errors"][0]["message"]
        assert (await client.post("/graphql", json={"query": "{ __typename viewer { id } }"})).json()["data"] == {
            "__typename": "Query", "viewer": None}
        signed_in = (await client.post("/graphql", json=introspection, headers=token)).json()
        assert signed_in["data"] == {"__type": {"name": "Query"}}
        assert "Did you mean" in (await client.post("/graphql", json=typo, headers=token)).json()["errors"][0]["message"]
