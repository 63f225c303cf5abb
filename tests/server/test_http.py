"""The HTTP surface: GraphQL over POST and GET, GraphiQL, health, request ids."""

import re


async def test_graphql_over_get(cosell_client, world):
    response = await cosell_client.get(
        "/graphql",
        params={"query": "{ viewer { role } }"},
        headers={"Authorization": f"Bearer {world.tokens['admin']}", "Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"role": "ADMIN"}}, "extensions": response.json()["extensions"]}


async def test_graphiql_page_is_self_hosted(cosell_client):
    response = await cosell_client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    html = response.text
    # Channel managers behind proxies or air gaps: no asset may come from elsewhere.
    assert not re.search(r"""(src|href)=["']https?://""", html)
    for asset in re.findall(r"""(?:src|href)=["'](/graphiql/[^"']+)""", html):
        asset_response = await cosell_client.get(asset)
        assert asset_response.status_code == 200, asset
        assert len(asset_response.content) > 100


async def test_graphiql_serves_only_its_assets(cosell_client):
    assert (await cosell_client.get("/graphiql/package.json")).status_code == 404


async def test_graphiql_can_be_switched_off(cosell_app_factory):
    async with cosell_app_factory(graphiql=False) as client:
        response = await client.get("/graphql", headers={"Accept": "text/html"})
        assert "GraphiQL" not in response.text
        assert (await client.get("/graphiql/graphiql.js")).status_code == 404


async def test_health_and_readiness(cosell_client):
    assert (await cosell_client.get("/healthz")).json() == {"status": "ok"}
    ready = await cosell_client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_every_response_carries_a_request_id(cosell_client):
    response = await cosell_client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    echoed = await cosell_client.get("/healthz", headers={"X-Request-ID": "portal-abc-123"})
    assert echoed.headers["x-request-id"] == "portal-abc-123"
    # An id that could poison logs is replaced, not echoed.
    hostile = await cosell_client.get("/healthz", headers={"X-Request-ID": "x\" injected=1"})
    assert hostile.headers["x-request-id"] != "x\" injected=1"


async def test_mutations_are_refused_over_get(cosell_client, world):
    response = await cosell_client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code in (400, 405)
