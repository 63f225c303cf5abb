"""API token mutations: create (secret shown once), list (never the hash), revoke."""

import base64

CREATE = """mutation($name: String!) { createApiToken(input: {name: $name}) {
  token apiToken { id name prefix active } errors { code field message } } }"""
REVOKE = """mutation($id: ID!) { revokeApiToken(input: {id: $id}) {
  apiToken { id active revokedAt } errors { code field } } }"""
LIST = "{ viewer { apiTokens { totalCount nodes { id name prefix createdAt revokedAt active } } } }"


async def test_a_user_creates_a_token_and_it_works(gql, world):
    body = await gql(CREATE, {"name": "CRM sync"}, token=world.tokens["alpha_user"])
    payload = body["data"]["createApiToken"]
    assert payload["errors"] == []
    token = payload["token"]
    assert token.startswith("cst_") and token.startswith(payload["apiToken"]["prefix"])
    viewer = await gql("{ viewer { email } }", token=token)
    assert viewer["data"]["viewer"]["email"] == "alpha_user@cosell.test"
    listed = await gql(LIST, token=token)
    tokens = listed["data"]["viewer"]["apiTokens"]
    assert tokens["totalCount"] == 2
    assert {t["name"] for t in tokens["nodes"]} == {"test", "CRM sync"}
    assert all(token not in str(t) for t in tokens["nodes"])  # the secret is never listed


async def test_token_name_is_required(gql, world):
    body = await gql(CREATE, {"name": "  "}, token=world.tokens["ae"])
    payload = body["data"]["createApiToken"]
    assert payload["token"] is None and payload["apiToken"] is None
    assert payload["errors"] == [{"code": "REQUIRED", "field": ["name"], "message": payload["errors"][0]["message"]}]
    assert (await gql(LIST, token=world.tokens["ae"]))["data"]["viewer"]["apiTokens"]["totalCount"] == 1


async def test_anonymous_cannot_create_tokens(gql, world):
    body = await gql(CREATE, {"name": "x"}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_revoking_own_token_stops_it(cosell_client, gql, world):
    created = (await gql(CREATE, {"name": "temp"}, token=world.tokens["sdr"]))["data"]["createApiToken"]
    body = await gql(REVOKE, {"id": created["apiToken"]["id"]}, token=world.tokens["sdr"])
    payload = body["data"]["revokeApiToken"]
    assert payload["errors"] == [] and payload["apiToken"]["active"] is False
    response = await cosell_client.post("/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status_code == 401


async def test_users_cannot_revoke_each_others_tokens_but_admins_can(gql, world):
    created = (await gql(CREATE, {"name": "beta"}, token=world.tokens["beta_user"]))["data"]["createApiToken"]
    token_id = created["apiToken"]["id"]
    for other in ("alpha_user", "sales_ops"):
        body = await gql(REVOKE, {"id": token_id}, token=world.tokens[other])
        assert body["data"]["revokeApiToken"]["errors"] == [{"code": "NOT_FOUND", "field": ["id"]}]
    assert (await gql("{ viewer { id } }", token=created["token"]))["data"]["viewer"]
    body = await gql(REVOKE, {"id": token_id}, token=world.tokens["admin"])
    assert body["data"]["revokeApiToken"]["apiToken"]["active"] is False


async def test_revoke_with_a_malformed_id_is_a_typed_error(gql, world):
    wrong_type = base64.b64encode(f"User:{world.user_ids['ae']}".encode()).decode()
    for bad in (wrong_type, "not-an-id"):
        body = await gql(REVOKE, {"id": bad}, token=world.tokens["ae"])
        assert body["data"]["revokeApiToken"]["errors"] == [{"code": "INVALID_ID", "field": ["id"]}]
