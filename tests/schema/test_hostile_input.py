"""Issue 16: input that used to reach the database and fail there (500s) is refused first,
as a typed error, and writes nothing; on SQLite and PostgreSQL."""

import base64
import json

from server.testing import global_id

NODE = "query($id: ID!) { node(id: $id) { id } }"
WITHDRAW = "mutation($id: ID!) { withdrawDealRegistration(input: {id: $id, note: \"x\"}) { errors { code } } }"


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_ids_beyond_the_database_integers_name_nothing(gql, world):
    """Item 11: `DealRegistration:99999999999999999999999` is a missing node for `node`,
    an INVALID_ID refusal for a mutation (the error contract), never an internal error."""
    admin = world.tokens["admin"]
    for pk in ("99999999999999999999999", str(2**63), str(2**31)):
        huge = base64.b64encode(f"DealRegistration:{pk}".encode()).decode()
        assert (await gql(NODE, {"id": huge}, token=admin))["data"]["node"] is None
        body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [huge]}, token=admin)
        assert body["data"]["nodes"] == [None]
        refused = await gql(WITHDRAW, {"id": huge}, token=world.tokens["alpha_user"], errors=True)
        assert "errors" not in refused, refused
        assert refused["data"]["withdrawDealRegistration"]["errors"] == [{"code": "INVALID_ID"}]
    partner = await gql(NODE, {"id": global_id("Partner", world.partners["alpha"])}, token=admin)
    assert partner["data"]["node"] is not None


def forged(cursor_text: str, number: int) -> str:
    """The same cursor with its integers replaced (the checksum is no secret: anyone can forge one)."""
    from schema.core.connection import encode_cursor_payload

    raw = base64.urlsafe_b64decode(cursor_text + "=" * (-len(cursor_text) % 4))
    _, kind, values = json.loads(raw.rpartition(b".")[0])
    return encode_cursor_payload(kind, [number if isinstance(v, int) and not isinstance(v, bool) else v for v in values])


async def test_cursors_beyond_the_database_integers_are_invalid(gql, world):
    """Item 11: cursors holding integers beyond the databases' (`offset:9223372036854775807`,
    a keyset cursor with a 40-bit id) are INVALID_CURSOR with field `after`, in root
    connections and in the locator's input; never an internal error."""
    admin = world.tokens["admin"]
    created = await gql(CREATE_ACCOUNT, {"name": "Acme", "website": ""}, token=admin)
    assert created["data"]["createAccount"]["errors"] == []
    accounts = "query($after: String) { accounts(first: 1, after: $after) { totalCount pageInfo { endCursor } } }"
    end = (await gql(accounts, {}, token=admin))["data"]["accounts"]["pageInfo"]["endCursor"]
    located = await gql("{ partnerLocator(input: {first: 1}) { pageInfo { endCursor } } }", token=admin)
    located_end = located["data"]["partnerLocator"]["pageInfo"]["endCursor"]
    for number in (2**31, 2**40, 2**63 - 1, 2**64 - 1):
        body = await gql(accounts, {"after": forged(end, number)}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body
        body = await gql("query($after: String) { partnerLocator(input: {after: $after}) { totalCount } }",
                         {"after": forged(located_end, number)}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body
    for text in ("offset:9223372036854775807", "offset:" + "9" * 30):
        body = await gql(accounts, {"after": cursor(text)}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body
    fine = await gql(accounts, {"after": end}, token=admin)
    assert fine["data"]["accounts"]["totalCount"] == 1


CREATE_ACCOUNT = """mutation($name: String!, $website: String!) {
  createAccount(input: {name: $name, website: $website, country: "US"}) { account { id } errors { code } } }"""
REGISTER = """mutation($website: String!) { registerDeal(input: {type: RESALE, products: ["core"],
  edition: "Premium", seats: 10, customer: {prospect: {name: "Acme", website: $website}}})
  { dealRegistration { id } errors { code } } }"""
LOG = "{ auditLog { nodes { mutation result errorCodes inputSummary } } }"


async def send(gql, query: str, variables: dict, token: str) -> dict:
    """POST with every non-ASCII character escaped, as a JSON client may send lone surrogates."""
    response = await gql.client.post("/graphql", content=json.dumps({"query": query, "variables": variables}),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()


def refused(body: dict) -> dict:
    assert body["data"] is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error


async def test_bad_strings_are_refused_before_the_database(gql, world):
    """Item 13: lone surrogates, NUL characters, strings longer than their column and a
    100,000-character website are BAD_USER_INPUT with the field's path, and write nothing."""
    admin = world.tokens["admin"]
    for name, website, field, limit in (
        ("Acme\ud800", "acme.example", ["input", "name"], None),
        ("Acme\x00Corp", "acme.example", ["input", "name"], None),
        ("A" * 256, "acme.example", ["input", "name"], 255),
        ("Acme", "w" * 100_000, ["input", "website"], 255),
    ):
        error = refused(await send(gql, CREATE_ACCOUNT, {"name": name, "website": website}, admin))
        assert error["extensions"]["field"] == field and error["extensions"].get("maxLength") == limit
        assert error["path"] == ["createAccount"]
    literal = await gql('mutation { createContact(input: {accountId: "QWNjb3VudDox", name: "%s"}) { errors { code } } }'
                        % ("n" * 201), token=admin, errors=True)
    assert {k: v for k, v in refused(literal)["extensions"].items() if k != "requestId"} == {
        "code": "BAD_USER_INPUT", "field": ["input", "name"], "maxLength": 200}
    long_website = refused(await gql(REGISTER, {"website": "w" * 100_000}, token=world.tokens["alpha_user"], errors=True))
    assert long_website["extensions"]["field"] == ["input", "customer", "prospect", "website"]
    nul = refused(await send(gql, "query($s: String) { accounts(filter: {search: $s}) { totalCount } }", {"s": "a\x00"},
                             admin))
    assert nul["extensions"]["field"] == ["filter", "search"]
    accounts = await gql("{ accounts { totalCount } }", token=admin)
    assert accounts["data"]["accounts"]["totalCount"] == 0
    fits = await gql(CREATE_ACCOUNT, {"name": "Ä" * 255, "website": "acme.example"}, token=admin)
    assert fits["data"]["createAccount"]["errors"] == []


async def test_the_limits_are_in_the_schema(gql, world):
    """Item 13: every text input documents its maximum length."""
    body = await gql('{ __type(name: "CreateContactInput") { inputFields { name description } } }')
    descriptions = {f["name"]: f["description"] for f in body["data"]["__type"]["inputFields"]}
    assert descriptions["name"].endswith("At most 200 characters.")
    assert descriptions["accountId"].endswith("At most 100 characters.")


async def test_a_mutation_document_with_a_bad_string_runs_no_field(gql, world):
    """Item 1: the second field's lone surrogate refuses the whole document before the
    first field runs; both calls are audited as refused."""
    document = """mutation($bad: String!) { a: createApiToken(input: {name: "fine"}) { token }
      b: createApiToken(input: {name: $bad}) { token } }"""
    body = await send(gql, document, {"bad": "x\ud800"}, world.tokens["ae"])
    refused(body)
    tokens = await gql("{ viewer { apiTokens { totalCount } } }", token=world.tokens["ae"])
    assert tokens["data"]["viewer"]["apiTokens"]["totalCount"] == 1  # the test's own token only
    log = (await gql(LOG, token=world.tokens["admin"]))["data"]["auditLog"]["nodes"]
    assert [(e["mutation"], e["result"], e["errorCodes"]) for e in log] == [
        ("createApiToken", "REFUSED", ["BAD_USER_INPUT"]), ("createApiToken", "REFUSED", ["BAD_USER_INPUT"])]
    assert "\\ud800" in log[0]["inputSummary"]


async def test_a_committed_mutation_always_has_its_audit_row(gql, world):
    """Item 1: each mutation field commits in one transaction with its audit row: when
    the row cannot be written, the mutation does not commit either."""
    from partners.infra.tables import AuditEntry

    await AuditEntry.raw("ALTER TABLE audit_log RENAME TO audit_log_away")
    try:
        body = await gql('mutation { createApiToken(input: {name: "unaudited"}) { token } }',
                         token=world.tokens["ae"], errors=True)
    finally:
        await AuditEntry.raw("ALTER TABLE audit_log_away RENAME TO audit_log")
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    tokens = await gql("{ viewer { apiTokens { nodes { name } } } }", token=world.tokens["ae"])
    assert [t["name"] for t in tokens["data"]["viewer"]["apiTokens"]["nodes"]] == ["test"]
    two = await gql('mutation { a: createApiToken(input: {name: "one"}) { token } '
                    'b: revokeApiToken(input: {id: "QXBpVG9rZW46OTk5OTk5"}) { errors { code } } }', token=world.tokens["ae"])
    assert two["data"]["b"]["errors"] == [{"code": "NOT_FOUND"}]
    log = (await gql(LOG, token=world.tokens["admin"]))["data"]["auditLog"]["nodes"]
    assert [(e["mutation"], e["result"]) for e in log] == [("revokeApiToken", "USER_ERROR"), ("createApiToken", "OK")]


async def test_like_wildcards_in_search_filters_are_literal(gql, world):
    """Item 15: `%` and `_` in `search` match themselves (escaped, as the locator's text
    search does), in accounts and opportunities."""
    admin = world.tokens["admin"]
    for name in ("50% Off Ltd", "5000 Corp", "Snake_Case Inc", "SnakeXCase Inc", "Back\\slash Co"):
        created = await gql(CREATE_ACCOUNT, {"name": name, "website": ""}, token=admin)
        assert created["data"]["createAccount"]["errors"] == []

    async def names(search: str) -> list[str]:
        body = await gql("query($s: String) { accounts(filter: {search: $s}) { nodes { name } } }", {"s": search},
                         token=admin)
        return sorted(n["name"] for n in body["data"]["accounts"]["nodes"])

    assert await names("%") == ["50% Off Ltd"]
    assert await names("0%") == ["50% Off Ltd"]
    assert await names("e_c") == ["Snake_Case Inc"]
    assert await names("_") == ["Snake_Case Inc"]
    assert await names("\\") == ["Back\\slash Co"]
    assert await names("snake") == sorted(["Snake_Case Inc", "SnakeXCase Inc"])
    opportunities = await gql('{ opportunities(filter: {search: "%"}) { totalCount } }', token=admin)
    assert opportunities["data"]["opportunities"]["totalCount"] == 0


def test_declared_limits_name_real_fields_and_long_text_is_declared():
    """Item 13: a renamed field cannot silently lose its limit, and free-text fields (notes,
    reasons, goals) are declared long text rather than cut at the default 255."""
    from graphql import GraphQLInputObjectType, get_named_type

    from schema import build_schema
    from schema.core.input_limits import DEFAULT_MAX_LENGTH, MAX_LENGTHS, max_length

    schema = build_schema()._schema
    for key in MAX_LENGTHS:
        type_name, field = key.split(".")
        assert field in getattr(schema.type_map.get(type_name), "fields", {}), f"MAX_LENGTHS names no field: {key}"
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLInputObjectType):
            for name, field in type_.fields.items():
                if get_named_type(field.type).name == "String" and name in ("note", "notes", "reason", "goals", "body",
                                                                          "resolution"):
                    assert max_length(f"{type_.name}.{name}", "String") > DEFAULT_MAX_LENGTH, f"{type_.name}.{name}"


async def test_lead_and_case_text_fits_its_columns_and_free_text_is_long(gql, world):
    """Item 13 for leads (P11) and cases (D9, #19): a contact name longer than its column
    is refused before the database (it failed on PostgreSQL's varchar(200)), and notes,
    case descriptions, comments and resolutions are long text, not cut at 255."""
    from tests.schema.leads import CLOSE_CASE, COMMENT_ON_CASE, CREATE_LEAD, PICK_UP_CASE, call, ok, open_case

    lead = {"company": "Initech", "region": "AMER", "country": "US"}
    for field, limit in (("contactName", 200), ("productInterest", 200), ("source", 100), ("contactEmail", 254)):
        too_long = "x" * (limit - 10) + "@initech.test" if field == "contactEmail" else "x" * (limit + 1)
        body = await gql(CREATE_LEAD, {"input": {**lead, field: too_long}}, token=world.tokens["sdr"], errors=True)
        error = refused(body)
        assert error["extensions"]["field"] == ["input", field] and error["extensions"]["maxLength"] == limit
    leads = await gql("{ leads { totalCount } }", token=world.tokens["admin"])
    assert leads["data"]["leads"]["totalCount"] == 0
    long_text = "Long story. " * 400
    created = await ok(gql, world, CREATE_LEAD, "sdr", **lead, notes=long_text, contactName="n" * 200)
    assert created["contactName"] == "n" * 200
    case = await open_case(gql, world, description=long_text)
    assert case["description"] == long_text.strip()
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    comment = await call(gql, world, COMMENT_ON_CASE, "advocate", id=case["id"], body=long_text)
    assert comment["errors"] == [] and comment["comment"]["body"] == long_text.strip()
    first = await open_case(gql, world)
    closed = await call(gql, world, CLOSE_CASE, "advocate", id=case["id"], resolution=long_text,
                        status="CLOSED_DUPLICATE", duplicateOfId=first["id"], resolutionAction="NO_ACTION_REQUIRED",
                        feedback="NA")
    assert closed["errors"] == [] and closed["case"]["resolution"] == long_text.strip()


async def test_webhook_urls_up_to_the_domains_2000_characters_pass_the_input_limits(gql, world):
    """Item 13 with #20: the input limit of a webhook URL is the domain's (2000, the column),
    not the default 255, so a long signed callback URL is accepted; longer is INVALID_URL."""
    from tests.schema.webhooks import create_endpoint, partner_admins

    update = ("mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) "
              "{ endpoint { url } errors { code } } }")

    await partner_admins(world)
    long_url = "https://hooks.example.com/cosell?" + "k=" + "v" * 1000
    created = await create_endpoint(gql, world, "alpha_admin", long_url)
    assert created["errors"] == [] and created["endpoint"]["url"] == long_url
    longer = long_url + "v" * 1000
    updated = await gql(update, {"input": {"id": created["endpoint"]["id"], "url": longer}},
                        token=world.tokens["alpha_admin"])
    assert [e["code"] for e in updated["data"]["updateWebhookEndpoint"]["errors"]] == ["INVALID_URL"]


async def test_lead_and_case_texts_longer_than_their_columns_are_refused_before_the_database(gql, world):
    """Item 13 for the leads (P11) and cases (D9) of issue 19: a contact name past its
    varchar(200) and a subject past its column are BAD_USER_INPUT, nothing written."""
    lead = await gql('mutation { createLead(input: {company: "Initech", region: AMER, contactName: "%s"}) '
                     "{ errors { code } } }" % ("n" * 201), token=world.tokens["sdr"], errors=True)
    assert refused(lead)["extensions"]["field"] == ["input", "contactName"]
    assert refused(lead)["extensions"]["maxLength"] == 200
    case = await gql('mutation { openCase(input: {subject: "%s", description: "d"}) { errors { code } } }'
                     % ("s" * 281), token=world.tokens["alpha_user"], errors=True)
    assert refused(case)["extensions"]["field"] == ["input", "subject"]
    counts = await gql("{ leads { totalCount } cases { totalCount } }", token=world.tokens["admin"])
    assert counts["data"] == {"leads": {"totalCount": 0}, "cases": {"totalCount": 0}}
