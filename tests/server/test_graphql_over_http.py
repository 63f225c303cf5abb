"""GraphQL over HTTP: the spec's own audit suite (npm `graphql-http`, `auditServer`) against
a real uvicorn server, and the two response media types (issue 33 item 12, docs/api.md "HTTP")."""

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from partners.documents import store
from schema import build_schema
from schema.documents.check import check_documents
from schema.documents.files import documents_from_files
from server.settings import Settings

AUDIT_DIR = Path(__file__).resolve().parents[1] / "http_audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWER = "query Viewer($first: Int) { viewer { email apiTokens(first: $first) { totalCount } } }"


def test_every_audit_of_graphql_over_http_passes(cosell_live_server):
    assert (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(), "run `make test` (it installs the audit suite)"
    out = subprocess.run(
        ["node", str(AUDIT_DIR / "audit.mjs"), f"{cosell_live_server}/graphql"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    not_ok = [r for r in results if r["status"] != "ok"]
    assert not not_ok, json.dumps(not_ok, indent=2)  # MUST and SHOULD: no error, no warning
    assert len(results) == 61, out


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def post(client, body: dict, accept: str | None, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if accept is not None:
        headers["Accept"] = accept
    return await client.post("/graphql", json=body, headers=headers)


def request_error(response, code: str, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body, body
    assert body["errors"][0]["extensions"]["code"] == code, body
    return body


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}, application/json;q=0.9",
                                    f"application/json, {GRAPHQL_RESPONSE}", f"*/*, {GRAPHQL_RESPONSE}"])
async def test_graphql_response_json_clients_get_400_without_data_for_request_errors(cosell_client, world, accept):
    token = world.tokens["alpha_user"]
    ok = await post(cosell_client, {"query": VIEWER}, accept, token)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert ok.json()["data"]["viewer"]["email"] == "alpha_user@cosell.test"
    assert "Accept" in ok.headers["vary"]
    request_error(await post(cosell_client, {"query": "{"}, accept, token), "GRAPHQL_PARSE_FAILED")
    request_error(await post(cosell_client, {"query": "{ viewer { shoeSize } }"}, accept, token),
                  "GRAPHQL_VALIDATION_FAILED")
    request_error(await post(cosell_client, {"query": VIEWER, "variables": {"first": "many"}}, accept, token),
                  "BAD_USER_INPUT")
    request_error(await post(cosell_client, {"query": "query($id: ID!) { node(id: $id) { id } }",
                                             "variables": {"id": None}}, accept, token), "BAD_USER_INPUT")
    # a field error is not a request error: `data` is there (null at the failed field), 200
    field_error = await post(cosell_client, {"query": "{ auditLog { totalCount } }"}, accept, token)
    assert field_error.status_code == 200 and "data" in field_error.json()
    assert field_error.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # HTTP-level refusals answer in the same media type
    bad_token = await post(cosell_client, {"query": VIEWER}, accept, "cosell_not_a_token")
    assert bad_token.status_code == 401 and bad_token.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", f"application/json, {GRAPHQL_RESPONSE};q=0.5"])
async def test_application_json_clients_keep_200_with_data_null(cosell_client, world, accept):
    token = world.tokens["alpha_user"]
    for body, code in (({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
                       ({"query": "{ viewer { shoeSize } }"}, "GRAPHQL_VALIDATION_FAILED"),
                       ({"query": VIEWER, "variables": {"first": "many"}}, "BAD_USER_INPUT")):
        response = await post(cosell_client, body, accept, token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_persisted_and_registered_documents_follow_the_same_rules(cosell_client, world, tmp_path):
    token = world.tokens["alpha_user"]
    path = tmp_path / "viewer.graphql"
    path.write_text(VIEWER, encoding="utf-8")
    documents = documents_from_files([path])
    settings = Settings.from_env()
    check_documents(build_schema(settings), settings, documents)
    await store.add(documents)
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(VIEWER)}}
    # a registered document (the compiled plans' path) with variables that do not coerce
    request_error(await post(cosell_client, {"extensions": apq, "variables": {"first": "many"}}, GRAPHQL_RESPONSE,
                             token), "BAD_USER_INPUT")
    by_id = await post(cosell_client, {"documentId": sha(VIEWER), "variables": {"first": 1}}, GRAPHQL_RESPONSE, token)
    assert by_id.status_code == 200 and by_id.json()["data"]["viewer"]["apiTokens"]["totalCount"] == 1
    # an automatic persisted query whose text does not parse or validate
    for text, code in (("{", "GRAPHQL_PARSE_FAILED"), ("{ viewer { shoeSize } }", "GRAPHQL_VALIDATION_FAILED")):
        sent = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}}
        request_error(await post(cosell_client, sent, GRAPHQL_RESPONSE, token), code)
        again = {"extensions": sent["extensions"]}
        request_error(await post(cosell_client, again, GRAPHQL_RESPONSE, token), code)
    # refusals of the persisted-query protocol: no `data`; a miss stays 200 for Apollo-style clients
    unknown = {"persistedQuery": {"version": 1, "sha256Hash": sha("{ __typename }")}}
    request_error(await post(cosell_client, {"extensions": unknown}, GRAPHQL_RESPONSE, token),
                  "PERSISTED_QUERY_NOT_FOUND", status=200)
    request_error(await post(cosell_client, {"query": "{ __typename }", "extensions": apq}, GRAPHQL_RESPONSE, token),
                  "PERSISTED_QUERY_HASH_MISMATCH")
    md5 = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.md5(VIEWER.encode()).hexdigest()}}
    request_error(await post(cosell_client, {"extensions": md5}, GRAPHQL_RESPONSE, token),
                  "PERSISTED_QUERY_NOT_SUPPORTED")
    # the same refusals for application/json keep `data: null`
    legacy = await post(cosell_client, {"extensions": unknown}, "application/json", token)
    assert legacy.status_code == 200 and legacy.json()["data"] is None
