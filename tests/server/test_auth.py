"""Identity over HTTP: bearer tokens, the viewer, and what anonymous callers get."""

from partners.identity import revoke_token

VIEWER = "{ viewer { id email name role regions partner { name } } }"


async def test_viewer_answers_who_is_calling(gql, world):
    body = await gql(VIEWER, token=world.tokens["cm_emea"])
    viewer = body["data"]["viewer"]
    assert viewer["email"] == "cm_emea@cosell.test"
    assert viewer["role"] == "CHANNEL_MANAGER"
    assert viewer["regions"] == ["EMEA"]
    assert viewer["partner"] is None


async def test_partner_user_sees_their_partner(gql, world):
    body = await gql(VIEWER, token=world.tokens["alpha_user"])
    assert body["data"]["viewer"]["partner"] == {"name": "Alpha Resellers"}


async def test_anonymous_call_gets_no_viewer(gql, world):
    body = await gql(VIEWER)
    assert body["data"]["viewer"] is None


async def test_unknown_token_is_401_not_anonymous(cosell_client, world):
    response = await cosell_client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": "Bearer cst_not-a-real-token"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_malformed_authorization_header_is_401(cosell_client, world):
    response = await cosell_client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


async def test_revoked_token_stops_working(cosell_client, gql, world):
    token = world.tokens["ae"]
    assert (await gql(VIEWER, token=token))["data"]["viewer"]["role"] == "ACCOUNT_EXECUTIVE"
    assert await revoke_token(token[:12]) == 1
    response = await cosell_client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_tokens_are_stored_hashed(world):
    from partners.tables import ApiToken

    stored = await ApiToken.select(ApiToken.token_hash, ApiToken.prefix)
    plaintexts = set(world.tokens.values())
    assert stored and all(row["token_hash"] not in plaintexts for row in stored)
    assert all(len(row["token_hash"]) == 64 for row in stored)


async def test_plugins_query_is_staff_only(gql, world):
    body = await gql("{ plugins { name builtin hooks } }", token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql("{ plugins { name } }", token=world.tokens["admin"])
    assert isinstance(body["data"]["plugins"], list)
