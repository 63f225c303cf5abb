"""Identity over HTTP: bearer tokens, the viewer, and what anonymous callers get."""

from partners.people.identity import revoke_token

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
    # Their partner comes with them (one join): it costs no statement of its own.
    alone = await gql("{ viewer { id email } }", token=world.tokens["alpha_user"])
    assert body["extensions"]["sqlStatements"] == alone["extensions"]["sqlStatements"]


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
    from partners.people.tables import ApiToken

    stored = await ApiToken.select(ApiToken.token_hash, ApiToken.prefix)
    plaintexts = set(world.tokens.values())
    assert stored and all(row["token_hash"] not in plaintexts for row in stored)
    assert all(len(row["token_hash"]) == 64 for row in stored)


async def test_plugins_query_is_staff_only(gql, world):
    body = await gql("{ plugins { name builtin hooks } }", token=world.tokens["alpha_user"], errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql("{ plugins { name } }", token=world.tokens["admin"])
    assert isinstance(body["data"]["plugins"], list)


# The per-process token cache (issue 11): a token is looked up once per `auth_cache_seconds`,
# yet a revocation still takes effect: at once through this process, within the delay
# when another process (the CLI, another instance) revoked it.

REVOKE = "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { active } errors { code } } }"


async def _viewer(client, token):
    return await client.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"})


async def test_a_cached_token_is_not_looked_up_again(cosell_app_factory, world):
    async with cosell_app_factory(auth_cache_seconds=60) as client:
        first = (await _viewer(client, world.tokens["ae"])).json()
        again = (await _viewer(client, world.tokens["ae"])).json()
    assert first["data"] == again["data"] and again["data"]["viewer"]["role"] == "ACCOUNT_EXECUTIVE"
    assert again["extensions"]["sqlStatements"] == first["extensions"]["sqlStatements"] - 1


async def test_revoking_through_the_api_applies_at_once_despite_the_cache(cosell_app_factory, world):
    token = world.tokens["sdr"]
    async with cosell_app_factory(auth_cache_seconds=60) as client:
        assert (await _viewer(client, token)).status_code == 200
        mine = await client.post("/graphql", json={"query": "{ viewer { apiTokens { nodes { id } } } }"},
                                 headers={"Authorization": f"Bearer {token}"})
        token_id = mine.json()["data"]["viewer"]["apiTokens"]["nodes"][0]["id"]
        revoked = await client.post("/graphql", json={"query": REVOKE, "variables": {"id": token_id}},
                                    headers={"Authorization": f"Bearer {token}"})
        assert revoked.json()["data"]["revokeApiToken"]["apiToken"]["active"] is False
        assert (await _viewer(client, token)).status_code == 401


async def test_a_revocation_by_another_process_applies_within_the_cache_delay(cosell_app_factory, world):
    import asyncio

    from partners.infra.clock import now
    from partners.people.identity import hash_token
    from partners.people.tables import ApiToken

    token = world.tokens["ae"]
    async with cosell_app_factory(auth_cache_seconds=0.3) as client:
        assert (await _viewer(client, token)).status_code == 200
        # What `cosell tokens revoke` in another process does: the row only, not this cache.
        await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.token_hash == hash_token(token))
        await asyncio.sleep(0.4)
        assert (await _viewer(client, token)).status_code == 401
