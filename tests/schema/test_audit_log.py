"""The audit log: every mutation call is appended, whatever its outcome; admins read it."""

import base64

from partners.infra.tables import AuditEntry

CREATE = "mutation($name: String!) { createApiToken(input: {name: $name}) { token errors { code } } }"
REVOKE = "mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } } }"
LOG = """query($filter: AuditLogFilter, $first: Int) { auditLog(filter: $filter, first: $first) {
  totalCount nodes { actor actorRole mutation inputSummary result errorCodes requestId occurredAt } } }"""


async def test_a_successful_mutation_is_audited_with_secrets_redacted(cosell_client, gql, world):
    response = await cosell_client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"name": "crm"}},
        headers={"Authorization": f"Bearer {world.tokens['cm_emea']}", "X-Request-ID": "req-audit-1"},
    )
    token = response.json()["data"]["createApiToken"]["token"]
    body = await gql(LOG, {"filter": {"mutation": "createApiToken"}}, token=world.tokens["admin"])
    entry = body["data"]["auditLog"]["nodes"][0]
    assert entry["actor"] == "cm_emea@cosell.test" and entry["actorRole"] == "CHANNEL_MANAGER"
    assert entry["result"] == "OK" and entry["errorCodes"] == []
    assert entry["requestId"] == "req-audit-1"
    assert '"name": "crm"' in entry["inputSummary"]
    assert token not in str(await AuditEntry.select())  # the issued secret is never logged


async def test_user_errors_and_refusals_are_audited(gql, world):
    await gql(CREATE, {"name": ""}, token=world.tokens["ae"])
    await gql(CREATE, {"name": "anon"}, errors=True)  # refused: not signed in
    some_token = base64.b64encode(b"ApiToken:999999").decode()
    await gql(REVOKE, {"id": some_token}, token=world.tokens["alpha_user"])
    entries = (await gql(LOG, {}, token=world.tokens["admin"]))["data"]["auditLog"]["nodes"]
    outcomes = [(e["actor"], e["mutation"], e["result"], e["errorCodes"]) for e in entries]
    assert outcomes == [
        ("alpha_user@cosell.test", "revokeApiToken", "USER_ERROR", ["NOT_FOUND"]),
        ("", "createApiToken", "REFUSED", ["UNAUTHENTICATED"]),
        ("ae@cosell.test", "createApiToken", "USER_ERROR", ["REQUIRED"]),
    ]


async def test_every_field_of_a_multi_mutation_operation_is_audited(gql, world):
    await gql('mutation { a: createApiToken(input: {name: "a"}) { token } b: createApiToken(input: {name: "b"}) { token } }',
              token=world.tokens["sdr"])
    body = await gql(LOG, {"filter": {"actor": "SDR@cosell.test"}}, token=world.tokens["admin"])
    assert body["data"]["auditLog"]["totalCount"] == 2


async def test_the_audit_log_is_for_admins_only(gql, world):
    await gql(CREATE, {"name": "x"}, token=world.tokens["ae"])
    for role in ("sales_ops", "cm_amer", "alpha_user"):
        body = await gql(LOG, {}, token=world.tokens[role], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(LOG, {}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_audit_log_filters(gql, world):
    await gql(CREATE, {"name": "x"}, token=world.tokens["ae"])
    await gql(CREATE, {"name": "y"}, token=world.tokens["sdr"])
    admin = world.tokens["admin"]
    by_actor = await gql(LOG, {"filter": {"actor": "ae@cosell.test"}}, token=admin)
    assert [e["actor"] for e in by_actor["data"]["auditLog"]["nodes"]] == ["ae@cosell.test"]
    none_yet = await gql(LOG, {"filter": {"since": "2999-01-01T00:00:00+00:00"}}, token=admin)
    assert none_yet["data"]["auditLog"]["totalCount"] == 0
    since_long_ago = await gql(LOG, {"filter": {"since": "2000-01-01T00:00:00+00:00"}, "first": 1}, token=admin)
    assert since_long_ago["data"]["auditLog"]["totalCount"] == 2
    assert len(since_long_ago["data"]["auditLog"]["nodes"]) == 1


async def test_the_database_keeps_the_audit_log_append_only(gql, world):
    """Issue 10: whoever writes to the database (not only the API), an audit row can be
    neither changed nor deleted: triggers refuse it on SQLite and PostgreSQL."""
    import pytest

    from partners.infra.db import transaction

    await gql(CREATE, {"name": "crm"}, token=world.tokens["ae"])
    before = await AuditEntry.select().order_by(AuditEntry.id)
    assert before
    attempts = [
        lambda: AuditEntry.update({AuditEntry.result: "OK", AuditEntry.actor: "someone-else"}, force=True),
        lambda: AuditEntry.delete(force=True),
        lambda: AuditEntry.delete().where(AuditEntry.id == before[0]["id"]),
        lambda: AuditEntry.raw("UPDATE audit_log SET input_summary = '' WHERE id = {}", before[0]["id"]),
    ]
    for attempt in attempts:
        with pytest.raises(Exception, match="append-only"):
            async with transaction():
                await attempt()
    assert await AuditEntry.select().order_by(AuditEntry.id) == before
    await gql(CREATE, {"name": "still appends"}, token=world.tokens["ae"])
    assert await AuditEntry.count() == len(before) + 1


TARGETED = """query($filter: AuditLogFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first,
  after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { actor mutation result targets { type key id } } } }"""


async def test_the_audit_log_filtered_by_target_and_actor(gql, world):
    """Issue 34: every entry naming one object — a global id in its input, a node of its
    result, or the partner of such a node — by global id or by type and database id."""
    from server.testing import global_id

    alpha = global_id("Partner", world.partners["alpha"])
    beta = global_id("Partner", world.partners["beta"])
    admin = world.tokens["admin"]
    await gql('mutation($id: ID!) { updatePartner(input: {id: $id, city: "Austin"}) { errors { code } } }',
              {"id": alpha}, token=world.tokens["cm_amer"])
    await gql('mutation { inviteUser(input: {email: "kim@alpha.test", name: "Kim", role: PARTNER_USER}) '
              "{ errors { code } } }", token=world.tokens["alpha_admin"])
    await gql('mutation($id: ID!) { updatePartner(input: {id: $id, city: "Paris"}) { errors { code } } }',
              {"id": beta}, token=world.tokens["cm_amer"])  # refused: NOT_REGION_MANAGER, still about beta
    await gql(CREATE, {"name": "unrelated"}, token=world.tokens["ae"])

    about_alpha = (await gql(TARGETED, {"filter": {"target": alpha}}, token=admin))["data"]["auditLog"]
    assert [(n["mutation"], n["actor"]) for n in about_alpha["nodes"]] == [
        ("inviteUser", "alpha_admin@cosell.test"), ("updatePartner", "cm_amer@cosell.test")]
    invite = about_alpha["nodes"][0]
    assert [t["type"] for t in invite["targets"]] == ["User", "Partner"] and invite["targets"][1]["id"] == alpha
    by_key = await gql(TARGETED, {"filter": {"targetType": "Partner", "targetKey": world.partners["alpha"]}},
                       token=admin)
    assert by_key["data"]["auditLog"]["totalCount"] == 2
    about_beta = (await gql(TARGETED, {"filter": {"target": beta}}, token=admin))["data"]["auditLog"]["nodes"]
    assert [(n["mutation"], n["result"]) for n in about_beta] == [("updatePartner", "USER_ERROR")]
    users = await gql(TARGETED, {"filter": {"targetType": "User"}}, token=admin)
    assert [n["mutation"] for n in users["data"]["auditLog"]["nodes"]] == ["inviteUser"]
    # With the actor and the other filters, and paginated as before.
    by_actor = await gql(TARGETED, {"filter": {"actorId": global_id("User", world.user_ids["cm_amer"]),
                                               "mutation": "updatePartner"}, "first": 1}, token=admin)
    page = by_actor["data"]["auditLog"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"] is True
    rest = await gql(TARGETED, {"filter": {"actorId": global_id("User", world.user_ids["cm_amer"])}, "first": 1,
                                "after": page["pageInfo"]["endCursor"]}, token=admin)
    assert [n["targets"][0]["id"] for n in rest["data"]["auditLog"]["nodes"]] == [alpha]
    both = await gql(TARGETED, {"filter": {"target": alpha, "actor": "alpha_admin@cosell.test"}}, token=admin)
    assert [n["mutation"] for n in both["data"]["auditLog"]["nodes"]] == ["inviteUser"]
    # Bad filters are refused as input errors; the log stays for admins only.
    for bad in ({"target": "nope"}, {"targetType": "NoSuchType"}, {"targetKey": 3},
                {"target": alpha, "targetType": "Partner"}, {"actorId": alpha}):
        body = await gql(TARGETED, {"filter": bad}, token=admin, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad
    for role in ("cm_amer", "alpha_admin"):
        body = await gql(TARGETED, {"filter": {"target": alpha}}, token=world.tokens[role], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_audit_targets_are_append_only_too(gql, world):
    import pytest

    from partners.infra.db import transaction
    from partners.infra.tables import AuditTarget

    await gql(REVOKE, {"id": base64.b64encode(b"ApiToken:5").decode()}, token=world.tokens["admin"])
    before = await AuditTarget.select().order_by(AuditTarget.id)
    assert [(t["target_type"], t["target_key"]) for t in before] == [("ApiToken", 5)]
    for attempt in (lambda: AuditTarget.update({AuditTarget.target_key: 6}, force=True),
                    lambda: AuditTarget.delete(force=True)):
        with pytest.raises(Exception, match="append-only"):
            async with transaction():
                await attempt()
    assert await AuditTarget.select().order_by(AuditTarget.id) == before
