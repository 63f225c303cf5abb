"""Error masking with request ids, and the query limits."""

import logging

from partners.people.tables import Partner


async def test_unexpected_error_is_masked_and_logged_with_request_id(cosell_client, world, caplog):
    # A real fault: the partner table disappears under a running server.
    await Partner.raw('ALTER TABLE partner RENAME TO partner_gone')
    try:
        with caplog.at_level(logging.ERROR, logger="cosell.graphql"):
            response = await cosell_client.post(
                "/graphql",
                json={"query": "{ viewer { name partner { name } } }"},
                headers={"Authorization": f"Bearer {world.tokens['alpha_user']}"},
            )
    finally:
        await Partner.raw('ALTER TABLE partner_gone RENAME TO partner')
    body = response.json()
    request_id = response.headers["x-request-id"]
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "partner" not in error["message"].lower()  # no SQL or table names leak
    assert body["data"]["viewer"]["name"] == "Alpha User"  # the rest of the query still answers
    logged = [r for r in caplog.records if r.name == "cosell.graphql"]
    assert logged and logged[0].request_id == request_id and logged[0].exc_info


async def test_a_fault_of_joined_partners_stays_at_the_partner_fields(gql, world):
    """Pages and links that bring their partners with them (one join, for staff) answer
    without the join when the partners cannot be read: only the partner fields fail."""
    from partners.opportunities.enums import OpportunityPartnerRole
    from tests.schema.registrations import register
    from tests.schema.sales import create_account, create_opportunity, put_partner

    acme = await create_account(gql, world)
    opp = await create_opportunity(gql, world, acme, name="Joined", token="sdr")
    await put_partner(opp["id"], world.partners["alpha"], OpportunityPartnerRole.RESELLER)
    await register(gql, world, products=["ci-cd"])
    query = """{ opportunities(first: 5) { nodes { name partners { role partner { name } } } }
                 dealRegistrations(first: 5) { nodes { status partner { name } } } }"""
    await Partner.raw('ALTER TABLE partner RENAME TO partner_gone')
    try:
        body = await gql(query, token=world.tokens["admin"], errors=True)
    finally:
        await Partner.raw('ALTER TABLE partner_gone RENAME TO partner')
    assert body["data"]["opportunities"]["nodes"] == [{"name": "Joined", "partners": [
        {"role": "RESELLER", "partner": None}]}]
    assert body["data"]["dealRegistrations"]["nodes"] == [{"status": "SUBMITTED", "partner": None}]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"INTERNAL_SERVER_ERROR"}
    assert {tuple(e["path"][-1:]) for e in body["errors"]} == {("partner",)}


async def test_query_depth_is_limited(cosell_app_factory, world):
    async with cosell_app_factory(max_query_depth=1) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer { partner { name } } }"},
            headers={"Authorization": f"Bearer {world.tokens['alpha_user']}"},
        )
    assert "exceeds maximum operation depth" in response.json()["errors"][0]["message"]


async def test_aliases_are_limited(cosell_app_factory, world):
    async with cosell_app_factory(max_aliases=2) as client:
        response = await client.post("/graphql", json={"query": "{ a: viewer { id } b: viewer { id } c: viewer { id } }"})
    assert "aliases" in response.json()["errors"][0]["message"].lower()


async def test_tokens_are_limited(cosell_app_factory, world):
    fields = " ".join(["id name email role regions createdAt"] * 3)
    async with cosell_app_factory(max_tokens=15) as client:
        response = await client.post("/graphql", json={"query": f"{{ viewer {{ {fields} }} }}"})
    assert "token" in response.json()["errors"][0]["message"].lower()


async def test_field_suggestions_can_be_switched_off(cosell_app_factory, world):
    """A typo is still refused, but without "Did you mean …?" naming the schema's fields
    or enum values (for production with introspection off)."""
    typo = {"query": "{ viewer { emial } }"}
    enum_typo = {"query": "query($s: OpportunityStage) { opportunities(filter: {stage: $s}) { totalCount } }",
                 "variables": {"s": "DISCOVERYY"}}
    async with cosell_app_factory() as client:
        hinted = [(await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {world.tokens['admin']}"})).json()
                  for body in (typo, enum_typo)]
    async with cosell_app_factory(field_suggestions=False) as client:
        plain = [(await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {world.tokens['admin']}"})).json()
                 for body in (typo, enum_typo)]
    assert all("Did you mean" in body["errors"][0]["message"] for body in hinted)
    assert [body["errors"][0]["message"] for body in plain] == [
        "Cannot query field 'emial' on type 'User'.",
        "Variable '$s' has invalid value: Value 'DISCOVERYY' does not exist in 'OpportunityStage' enum.",
    ]


async def test_introspection_can_be_switched_off(cosell_app_factory, world):
    async with cosell_app_factory(introspection=False) as client:
        response = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert "introspection" in response.json()["errors"][0]["message"].lower()
