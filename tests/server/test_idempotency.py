"""Idempotency-Key: a retry returns the original response and writes nothing; a reused key
with another input is refused; concurrent requests with one key execute once."""

import asyncio

from partners.infra.tables import AuditEntry, IdempotencyKey
from partners.people.tables import ApiToken

CREATE = "mutation($name: String!) { createApiToken(input: {name: $name}) { token apiToken { id name } errors { code } } }"


def post(client, token, name, key, query=CREATE):
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return client.post("/graphql", json={"query": query, "variables": {"name": name}}, headers=headers)


async def test_a_retry_returns_the_original_response_and_writes_nothing(cosell_client, world):
    first = await post(cosell_client, world.tokens["ae"], "sync", "key-1")
    created = first.json()["data"]["createApiToken"]
    assert created["errors"] == [] and created["token"].startswith("cst_")
    tokens, audits = await ApiToken.count(), await AuditEntry.count()

    retry = await post(cosell_client, world.tokens["ae"], "sync", "key-1")
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    replayed = retry.json()["data"]["createApiToken"]
    assert replayed["apiToken"] == created["apiToken"]
    assert replayed["token"] == "[REDACTED]"  # secrets are never stored, so never replayed
    assert (await ApiToken.count(), await AuditEntry.count()) == (tokens, audits)


async def test_the_same_key_with_another_input_is_refused(cosell_client, world):
    await post(cosell_client, world.tokens["ae"], "sync", "key-2")
    tokens = await ApiToken.count()
    other = await post(cosell_client, world.tokens["ae"], "other", "key-2")
    assert other.status_code == 422
    assert other.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await ApiToken.count() == tokens


async def test_keys_belong_to_one_principal(cosell_client, world):
    await post(cosell_client, world.tokens["ae"], "sync", "shared-key")
    other_user = await post(cosell_client, world.tokens["sdr"], "sync", "shared-key")
    assert "idempotent-replayed" not in other_user.headers
    assert other_user.json()["data"]["createApiToken"]["token"].startswith("cst_")


async def test_queries_and_keyless_mutations_are_unaffected(cosell_client, world):
    headers = {"Authorization": f"Bearer {world.tokens['ae']}", "Idempotency-Key": "q"}
    for _ in range(2):
        response = await cosell_client.post("/graphql", json={"query": "{ viewer { id } }"}, headers=headers)
        assert response.status_code == 200 and "idempotent-replayed" not in response.headers
    assert await IdempotencyKey.count() == 0


async def test_a_bad_key_or_an_anonymous_key_is_refused(cosell_client, world):
    response = await post(cosell_client, world.tokens["ae"], "x", "k" * 300)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_IDEMPOTENCY_KEY"
    anonymous = await cosell_client.post(
        "/graphql", json={"query": CREATE, "variables": {"name": "x"}}, headers={"Idempotency-Key": "anon"}
    )
    assert anonymous.status_code == 401


async def test_a_refused_request_does_not_consume_the_key(cosell_client, world):
    refused = await post(cosell_client, world.tokens["ae"], "x", "key-3", query=CREATE.replace("token apiToken", "token nope"))
    assert refused.json()["errors"]  # invalid document: nothing ran, the key stays usable
    ok = await post(cosell_client, world.tokens["ae"], "x", "key-3")
    assert "idempotent-replayed" not in ok.headers or ok.json() == refused.json()


async def test_concurrent_requests_with_one_key_execute_once(cosell_app_factory, world):
    # Two app instances on one database, several clients each, all at once.
    async with cosell_app_factory() as one, cosell_app_factory() as two:
        before = await ApiToken.count()
        responses = await asyncio.gather(
            *[post(client, world.tokens["cm_amer"], "race", "race-key") for client in [one, two] * 5]
        )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    assert await ApiToken.count() == before + 1
    assert await AuditEntry.count() == 1
    real = [r for r in responses if "idempotent-replayed" not in r.headers]
    assert len(real) == 1
    token_ids = {r.json()["data"]["createApiToken"]["apiToken"]["id"] for r in responses}
    assert len(token_ids) == 1
