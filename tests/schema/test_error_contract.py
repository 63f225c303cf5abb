"""One error contract (issue 20, docs/api.md "Errors"): every top-level error carries
`extensions.code` and the request id; `extensions.field` is a path list; documents refused
before execution cost nothing and are audited with the code that refused them."""

import asyncio
import time

import pytest

VIEWER = "{ viewer { name partner { name } } }"  # costs 2
LOG = """query($mutation: String) { auditLog(filter: {mutation: $mutation}, first: 10) {
  nodes { mutation result errorCodes requestId } } }"""
CREATE = "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token errors { code } } }"


@pytest.fixture
async def clear_of_minute_boundary():
    # Budgets use one-minute windows; a test straddling a boundary would see two budgets.
    if time.time() % 60 > 50:
        await asyncio.sleep(60 - time.time() % 60 + 0.1)


async def _post(client, query: str, variables: dict | None = None, *, token: str | None = None, request_id: str):
    headers = {"X-Request-ID": request_id, **({"Authorization": f"Bearer {token}"} if token else {})}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    return response.json()


CASES = [
    # (what the portal sent, variables, expected code)
    ("{ viewer { nmae } }", None, "GRAPHQL_VALIDATION_FAILED"),  # unknown field
    ("{ viewer { name ", None, "GRAPHQL_PARSE_FAILED"),
    ("query($r: DealRegistrationStatus) { dealRegistrations(filter: {status: $r}) { totalCount } }",
     {"r": "NOPE"}, "BAD_USER_INPUT"),  # bad enum value in a variable
    ("{ dealRegistrations(filter: {status: NOPE}) { totalCount } }", None, "GRAPHQL_VALIDATION_FAILED"),
    (CREATE, {"input": {"name": "x", "bogus": 1}}, "BAD_USER_INPUT"),  # unknown input field
    ("mutation { approveDealRegistration(input: {id: \"x\"}) { errors { code } } }", None, "FORBIDDEN"),
    ("{ dealRegistrations(first: 500) { totalCount } }", None, "BAD_USER_INPUT"),
]


async def test_every_top_level_error_has_a_code_and_the_request_id(cosell_client, world):
    for i, (query, variables, code) in enumerate(CASES):
        body = await _post(cosell_client, query, variables, token=world.tokens["ae"], request_id=f"contract-{i}")
        assert body["errors"], query
        for error in body["errors"]:
            assert error["extensions"]["code"] == code, (query, error)
            assert error["extensions"]["requestId"] == f"contract-{i}", query


async def test_a_bad_token_is_a_401_with_code_and_request_id(cosell_client):
    response = await cosell_client.post("/graphql", json={"query": VIEWER},
                                        headers={"Authorization": "Bearer cst_nope", "X-Request-ID": "bad-token"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED", "requestId": "bad-token"}


async def test_argument_paths_are_lists(cosell_client, world):
    body = await _post(cosell_client, "{ dealRegistrations(filter: {expiringWithinDays: 99999}) { totalCount } }",
                       token=world.tokens["cm_amer"], request_id="paths")
    error = body["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["field"], error["extensions"]["rule"]) == (
        "BAD_USER_INPUT", ["filter", "expiringWithinDays"], "P6")
    body = await _post(cosell_client, '{ node(id: "nope") { id } }', token=world.tokens["ae"], request_id="ids")
    assert isinstance(body["errors"][0]["extensions"]["field"], list)


async def test_documents_refused_before_execution_cost_nothing(cosell_client, world, clear_of_minute_boundary):
    token = world.tokens["alpha_user"]
    before = (await _post(cosell_client, VIEWER, token=token, request_id="b1"))["extensions"]["cost"]["remaining"]
    for query, variables, _ in CASES[:5]:
        await _post(cosell_client, query, variables, token=token, request_id="refused")
    after = (await _post(cosell_client, VIEWER, token=token, request_id="b2"))["extensions"]["cost"]["remaining"]
    assert before - after == 2, "only the second viewer query was paid for"


async def test_refused_mutation_documents_are_audited_with_their_code(cosell_client, gql, world):
    await _post(cosell_client, CREATE, {"input": {"name": "x", "bogus": 1}}, token=world.tokens["ae"],
                request_id="coerce")
    await _post(cosell_client, 'mutation { createApiToken(input: {name: "x", bogus: 1}) { token } }',
                token=world.tokens["ae"], request_id="invalid")
    entries = (await gql(LOG, {"mutation": "createApiToken"}, token=world.tokens["admin"]))["data"]["auditLog"]["nodes"]
    assert [(e["result"], e["errorCodes"], e["requestId"]) for e in entries] == [
        ("REFUSED", ["GRAPHQL_VALIDATION_FAILED"], "invalid"),
        ("REFUSED", ["BAD_USER_INPUT"], "coerce"),
    ]


async def test_a_mutations_refusals_of_its_input_are_payload_errors_with_full_paths(gql, world):
    """A malformed id inside `input` is refused like any other input: in the payload, with
    the path of the value inside `input` (not a top-level BAD_USER_INPUT naming its last part)."""
    from tests.schema.sales import CREATE_ACCOUNT, CREATE_OPPORTUNITY, create_account, create_contact

    account = await create_account(gql, world)
    contact = await create_contact(gql, world, account)
    body = await gql(CREATE_OPPORTUNITY, {"input": {
        "accountId": account, "name": "Acme, Inc- 50 Premium",
        "contacts": [{"contactId": contact}, {"contactId": "not-an-id"}]}}, token=world.tokens["ae"])
    payload = body["data"]["createOpportunity"]
    assert "errors" not in body and payload["opportunity"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_ID", ["contacts", "1", "contactId"])]
    repeated = await gql(CREATE_OPPORTUNITY, {"input": {
        "accountId": account, "name": "Acme, Inc- 50 Premium",
        "contacts": [{"contactId": contact}, {"contactId": contact}]}}, token=world.tokens["ae"])
    assert [(e["code"], e["field"]) for e in repeated["data"]["createOpportunity"]["errors"]] == [
        ("DUPLICATE_CONTACT", ["contacts", "1", "contactId"])]
    addresses = await gql(CREATE_ACCOUNT, {"input": {"name": "Twice", "addresses": [
        {"source": "BILLING", "city": "Berlin"}, {"source": "BILLING", "city": "Bonn"}]}},
        token=world.tokens["sales_ops"])
    (error,) = addresses["data"]["createAccount"]["errors"]
    assert (error["code"], error["field"], error["rule"]) == ("DUPLICATE_ADDRESS_SOURCE", ["addresses", "1", "source"], "A4")
    entries = (await gql(LOG, {"mutation": "createOpportunity"}, token=world.tokens["admin"]))["data"]["auditLog"]["nodes"]
    assert [(e["result"], e["errorCodes"]) for e in entries] == [
        ("USER_ERROR", ["DUPLICATE_CONTACT"]), ("USER_ERROR", ["INVALID_ID"])]


async def test_http_level_refusals_carry_the_request_id_too(cosell_client):
    response = await cosell_client.post("/graphql", content=b"{not json", headers={
        "Content-Type": "application/json", "X-Request-ID": "http-400"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["requestId"] == "http-400"
    response = await cosell_client.post("/graphql", content=b"query=x", headers={
        "Content-Type": "text/plain", "X-Request-ID": "http-415"})
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"] == {"code": "UNSUPPORTED_MEDIA_TYPE", "requestId": "http-415"}
