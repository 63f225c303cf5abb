"""Webhooks (issue 20): partners' endpoints get their own events, signed, after commit,
retried with backoff, logged per endpoint, redelivered on demand. Every delivery here goes
to a real HTTP server on 127.0.0.1 through the app's own outbox handlers."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from partners.opportunities.enums import OpportunityPartnerRole
from partners.webhooks import signing
from server.testing import GraphQLClient
from tests.schema.cosell import COMPLETE_TASK, add_task, create_plan
from tests.schema.registrations import approved, register
from tests.schema.sales import create_account, create_opportunity, put_partner
from tests.schema.webhooks import (
    REDELIVER,
    Receiver,
    create_endpoint,
    deliver,
    delivery_log,
    gid,
    later,
    partner_admins,
)


@pytest.fixture
async def client(cosell_app_factory):
    # Local receivers live on 127.0.0.1, which production refuses (COSELL_WEBHOOK_ALLOW_PRIVATE).
    async with cosell_app_factory(webhook_allow_private=True, outbox_max_attempts=3) as client:
        yield client


@pytest.fixture
async def api(client, world) -> GraphQLClient:
    await partner_admins(world)  # alpha_admin, beta_admin: the partners' webhook managers
    return GraphQLClient(client)


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def verify_independently(secret: str, header: str, body: bytes) -> bool:
    """What docs/api.md tells receivers to do, written out without cosell's helper."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


async def test_a_partner_admin_registers_an_endpoint_and_gets_its_registration_events_signed(api, client, world,
                                                                                            receiver):
    created = await create_endpoint(api, world, "alpha_admin", receiver.url(), ["DEAL_REGISTRATION"],
                                    description="Our CRM")
    assert created["errors"] == []
    endpoint, secret = created["endpoint"], created["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert endpoint["partner"]["id"] == gid("Partner", world.partners["alpha"])
    assert endpoint["eventTypes"] == ["DEAL_REGISTRATION"] and endpoint["enabled"]

    reg = await register(api, world, "alpha_user")
    assert receiver.requests == []  # nothing is sent inside the write: the outbox sends after commit
    await deliver(client)

    (request,) = receiver.requests
    event = request.json
    assert event["type"] == "deal_registration.submitted"
    assert event["data"]["registration"]["id"] == reg["id"]  # the API's id: `node(id:)` finds it
    assert event["data"]["registration"]["status"] == "SUBMITTED"
    # Issue 40: the partner's own estimate, exact, with its currency.
    assert event["data"]["registration"]["estimatedAmount"] == {"amount": "17400.00", "currency": "USD"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["cosell-event-id"] == event["id"]
    assert request.headers["cosell-event-type"] == "deal_registration.submitted"
    assert verify_independently(secret, request.headers["cosell-signature"], request.body)
    assert signing.verify(secret, request.body, request.headers["cosell-signature"])
    assert not signing.verify("whsec_someone-elses-secret-000000", request.body, request.headers["cosell-signature"])
    assert not signing.verify(secret, request.body + b" ", request.headers["cosell-signature"])

    (logged,) = await delivery_log(api, world, "alpha_admin", endpoint["id"])
    assert logged["status"] == "SUCCEEDED" and logged["attempts"] == 1 and logged["responseStatus"] == 200
    assert logged["eventId"] == event["id"] and logged["body"].encode() == request.body


async def test_the_secret_is_shown_once_and_a_given_secret_is_used(api, client, world, receiver):
    mine = "a-secret-we-chose-ourselves-0123456789"
    created = await create_endpoint(api, world, "alpha_admin", receiver.url(), secret=mine)
    assert created["secret"] == mine
    body = await api('{ __type(name: "WebhookEndpoint") { fields { name } } }')
    assert "secret" not in {f["name"] for f in body["data"]["__type"]["fields"]}
    audit = await api("{ auditLog(first: 5) { nodes { mutation inputSummary } } }", token=world.tokens["admin"])
    entries = audit["data"]["auditLog"]["nodes"]
    assert "createWebhookEndpoint" in {e["mutation"] for e in entries}
    assert mine not in str(entries)  # the audit log redacts secrets

    await register(api, world, "alpha_user")
    await deliver(client)
    (request,) = receiver.requests
    assert verify_independently(mine, request.headers["cosell-signature"], request.body)

    rotated = await api("mutation($id: ID!) { rotateWebhookSecret(input: {id: $id}) { secret errors { code } } }",
                        {"id": created["endpoint"]["id"]}, token=world.tokens["alpha_admin"])
    new_secret = rotated["data"]["rotateWebhookSecret"]["secret"]
    assert new_secret != mine
    await register(api, world, "alpha_user", customer={"prospect": {"name": "Globex", "website": "globex.test"}})
    await deliver(client)
    assert verify_independently(new_secret, receiver.requests[1].headers["cosell-signature"], receiver.requests[1].body)
    assert not verify_independently(mine, receiver.requests[1].headers["cosell-signature"], receiver.requests[1].body)


async def test_a_failing_receiver_is_retried_with_backoff_and_recovers(api, client, world):
    with Receiver(statuses=[500, 503]) as receiver:
        created = await create_endpoint(api, world, "alpha_admin", receiver.url())
        await register(api, world, "alpha_user")

        await deliver(client)
        (first,) = await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"])
        assert (first["status"], first["attempts"], first["responseStatus"], first["lastError"]) == (
            "PENDING", 1, 500, "HTTP 500")

        await deliver(client)  # not due yet: the backoff (30 s) has not passed
        assert len(receiver.requests) == 1

        await deliver(client, now=later(31))
        await deliver(client, now=later(31 + 61))
        (final,) = await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"])
        assert (final["status"], final["attempts"], final["responseStatus"], final["lastError"]) == (
            "SUCCEEDED", 3, 200, "")
        assert len(receiver.requests) == 3
        # One event: every attempt carries the same id, each signed anew.
        assert len({r.headers["cosell-event-id"] for r in receiver.requests}) == 1
        assert all(verify_independently(created["secret"], r.headers["cosell-signature"], r.body)
                   for r in receiver.requests)


async def test_a_receiver_that_never_answers_2xx_fails_and_is_redelivered_on_demand(api, client, world):
    with Receiver(statuses=[500, 500, 500]) as receiver:
        created = await create_endpoint(api, world, "alpha_admin", receiver.url())
        await register(api, world, "alpha_user")
        for step in (0, 31, 92, 300):
            await deliver(client, now=later(step))
        (failed,) = await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"])
        assert failed["status"] == "FAILED" and failed["attempts"] == 3  # outbox_max_attempts=3
        assert len(receiver.requests) == 3

        # The receiver is fixed; its owner asks for the event again.
        body = await api(REDELIVER, {"input": {"id": failed["id"]}}, token=world.tokens["alpha_admin"])
        payload = body["data"]["redeliverWebhookDelivery"]
        assert payload["errors"] == []
        assert payload["delivery"]["redeliveryOf"] == {"id": failed["id"]}
        await deliver(client)
        log = await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"])
        assert [d["status"] for d in log] == ["SUCCEEDED", "FAILED"]  # newest first
        assert log[0]["eventId"] == failed["eventId"] and log[0]["body"] == failed["body"]
        assert receiver.requests[-1].headers["cosell-event-id"] == failed["eventId"]


async def test_a_queued_attempt_of_a_deleted_endpoint_never_sends_the_delivery_that_reuses_its_id(
        api, client, world):
    """Issue 33 (6): deleting an endpoint deletes its deliveries while their outbox messages
    are still queued; SQLite gives the ids to new deliveries, which those messages must not
    attempt (a second POST, and the old message's attempt count)."""
    delete = "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { errors { code } } }"
    with Receiver(statuses=[500] * 10) as receiver:
        old = await create_endpoint(api, world, "alpha_admin", receiver.url())
        await register(api, world, "alpha_user", customer={"prospect": {"name": "First, Inc", "website": "https://first.test"}})
        await deliver(client)  # first attempt: 500, queued again for +30 s
        (gone,) = await delivery_log(api, world, "alpha_admin", old["endpoint"]["id"])
        body = await api(delete, {"id": old["endpoint"]["id"]}, token=world.tokens["alpha_admin"])
        assert body["data"]["deleteWebhookEndpoint"]["errors"] == []

        new = await create_endpoint(api, world, "alpha_admin", receiver.url())
        await register(api, world, "alpha_user", customer={"prospect": {"name": "Second, Inc", "website": "https://second.test"}})
        await deliver(client)
        (current,) = await delivery_log(api, world, "alpha_admin", new["endpoint"]["id"])
        if client.app.state.settings.database_url.startswith("sqlite"):
            assert current["id"] == gone["id"], "SQLite reuses the deleted delivery's id (the premise)"
        await deliver(client, now=later(31))  # the old message and the new one are both due
        (current,) = await delivery_log(api, world, "alpha_admin", new["endpoint"]["id"])
        assert current["attempts"] == 2 and current["status"] == "PENDING"
        assert [r.headers["cosell-event-id"] for r in receiver.requests].count(current["eventId"]) == 2
        assert len(receiver.requests) == 3


async def test_endpoints_of_partner_a_only_ever_receive_partner_a_events(api, client, world):
    """Registrations and co-sell tasks of alpha go to alpha's endpoint, beta's to beta's (D3, P4)."""
    with Receiver() as receiver:
        alpha = await create_endpoint(api, world, "alpha_admin", receiver.url("/alpha"))
        await create_endpoint(api, world, "beta_admin", receiver.url("/beta"))
        # An administrator registers one for beta too, on beta's behalf.
        by_admin = await create_endpoint(api, world, "admin", receiver.url("/beta-admin"), ["COSELL_TASK"],
                                         partnerId=gid("Partner", world.partners["beta"]))
        assert by_admin["errors"] == [] and by_admin["endpoint"]["partner"]["name"] == "Beta Distribution"

        alpha_reg = await register(api, world, "alpha_user")
        await approved(api, world, alpha_reg["id"])
        await register(api, world, "beta_user", customer={"prospect": {"name": "Vandelay", "region": "EMEA",
                                                                       "country": "DE"}})
        account = await create_account(api, world, name="Initech, Ltd")
        opportunity = await create_opportunity(api, world, account, name="Initech, Ltd- 50 Premium")
        await put_partner(opportunity["id"], world.partners["beta"], OpportunityPartnerRole.RESELLER)
        plan = await create_plan(api, world, opportunity["id"], "beta")
        task = await add_task(api, world, plan["id"], "beta_user")
        done = await api(COMPLETE_TASK, {"input": {"id": task["id"]}}, token=world.tokens["beta_user"])
        assert done["data"]["completeCoSellTask"]["errors"] == []
        await deliver(client)

        assert receiver.events("/alpha") == [
            "deal_registration.submitted", "deal_registration.pending_sales_review",
            "deal_registration.pending_manager_review", "deal_registration.approved"]
        assert receiver.events("/beta") == ["deal_registration.submitted", "cosell_task.created",
                                            "cosell_task.completed"]
        assert receiver.events("/beta-admin") == ["cosell_task.created", "cosell_task.completed"]
        alpha_ids = {r.json["data"]["registration"]["id"] for r in receiver.requests if r.path == "/alpha"}
        assert alpha_ids == {alpha_reg["id"]}
        completed = [r.json for r in receiver.requests if r.path == "/beta"][-1]
        assert completed["data"]["task"]["id"] == task["id"] and completed["data"]["task"]["status"] == "DONE"
        assert len(await delivery_log(api, world, "alpha_admin", alpha["endpoint"]["id"])) == 4


async def test_partner_b_cannot_see_or_change_partner_a_endpoints_or_deliveries_by_any_path(api, client, world,
                                                                                           receiver):
    created = await create_endpoint(api, world, "alpha_admin", receiver.url())
    endpoint_id = created["endpoint"]["id"]
    await register(api, world, "alpha_user")
    await deliver(client)
    (delivery,) = await delivery_log(api, world, "alpha_admin", endpoint_id)
    beta = world.tokens["beta_admin"]

    listing = await api("{ webhookEndpoints { totalCount nodes { id } } }", token=beta)
    assert listing["data"]["webhookEndpoints"] == {"totalCount": 0, "nodes": []}
    filtered = await api("query($p: ID!) { webhookEndpoints(filter: {partnerId: $p}) { totalCount } }",
                         {"p": gid("Partner", world.partners["alpha"])}, token=beta)
    assert filtered["data"]["webhookEndpoints"]["totalCount"] == 0
    nodes = await api("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [endpoint_id, delivery["id"]]},
                      token=beta)
    assert nodes["data"]["nodes"] == [None, None]

    for mutation, extra in [
        ("updateWebhookEndpoint", ', enabled: false, url: "https://evil.test/steal"'),
        ("rotateWebhookSecret", ""),
        ("deleteWebhookEndpoint", ""),
    ]:
        body = await api(f"mutation($id: ID!) {{ {mutation}(input: {{id: $id{extra}}}) {{ errors {{ code field }} }} }}",
                         {"id": endpoint_id}, token=beta)
        assert body["data"][mutation]["errors"] == [{"code": "NOT_FOUND", "field": ["id"]}], mutation
    redeliver = await api(REDELIVER, {"input": {"id": delivery["id"]}}, token=beta)
    assert redeliver["data"]["redeliverWebhookDelivery"]["errors"][0]["code"] == "NOT_FOUND"
    for_alpha = await create_endpoint(api, world, "beta_admin", "https://beta.test/hooks",
                                      partnerId=gid("Partner", world.partners["alpha"]))
    assert for_alpha["errors"][0]["code"] == "NOT_FOUND" and for_alpha["errors"][0]["field"] == ["partnerId"]

    # Nothing changed, and alpha still sees its endpoint and log; staff other than admins see nothing.
    mine = await api("{ webhookEndpoints { nodes { id url enabled } } }", token=world.tokens["alpha_admin"])
    assert mine["data"]["webhookEndpoints"]["nodes"] == [{"id": endpoint_id, "url": receiver.url(), "enabled": True}]
    assert len(await delivery_log(api, world, "alpha_admin", endpoint_id)) == 1
    denied = await api("{ webhookEndpoints { totalCount } }", token=world.tokens["cm_amer"], errors=True)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    hidden = await api("query($id: ID!) { node(id: $id) { id } }", {"id": endpoint_id}, token=world.tokens["cm_amer"])
    assert hidden["data"]["node"] is None
    admin = await api("{ webhookEndpoints { totalCount } }", token=world.tokens["admin"])
    assert admin["data"]["webhookEndpoints"]["totalCount"] == 1


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(api, client, world):
    cases = [
        ({"url": "ftp://files.test/x"}, "INVALID_URL", ["url"]),
        ({"url": "https://user:pw@crm.test/x"}, "INVALID_URL", ["url"]),
        ({"url": "not a url"}, "INVALID_URL", ["url"]),
        ({"url": "https://crm.test/x", "eventTypes": []}, "EVENT_TYPES_REQUIRED", ["eventTypes"]),
        ({"url": "https://crm.test/x", "secret": "short"}, "INVALID_SECRET", ["secret"]),
    ]
    for fields, code, path in cases:
        values = {"eventTypes": ["DEAL_REGISTRATION"], **fields}
        created = await create_endpoint(api, world, "alpha_admin", values.pop("url"), values.pop("eventTypes"),
                                        **values)
        assert [(e["code"], e["field"]) for e in created["errors"]] == [(code, path)], fields
        assert created["endpoint"] is None and created["secret"] is None
    no_partner = await create_endpoint(api, world, "admin", "https://crm.test/x")
    assert no_partner["errors"][0]["code"] == "PARTNER_REQUIRED"
    listing = await api("{ webhookEndpoints { totalCount } }", token=world.tokens["admin"])
    assert listing["data"]["webhookEndpoints"]["totalCount"] == 0


async def test_a_disabled_endpoint_gets_no_new_events(api, client, world, receiver):
    created = await create_endpoint(api, world, "alpha_admin", receiver.url())
    body = await api("mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, enabled: false}) "
                     "{ endpoint { enabled } errors { code } } }", {"id": created["endpoint"]["id"]},
                     token=world.tokens["alpha_admin"])
    assert body["data"]["updateWebhookEndpoint"] == {"endpoint": {"enabled": False}, "errors": []}
    await register(api, world, "alpha_user")
    await deliver(client)
    assert receiver.requests == []
    assert await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"]) == []


async def test_production_refuses_endpoints_on_private_addresses(gql, cosell_client, world, receiver):
    """The default app (COSELL_WEBHOOK_ALLOW_PRIVATE off): a URL reaching into the server's
    own network is never called."""
    await partner_admins(world)
    created = await create_endpoint(gql, world, "alpha_admin", receiver.url())
    await register(gql, world, "alpha_user")
    await deliver(cosell_client)
    assert receiver.requests == []
    (failed,) = await delivery_log(gql, world, "alpha_admin", created["endpoint"]["id"])
    assert failed["status"] == "FAILED" and "not resolve to a public address" in failed["lastError"]


async def test_a_refused_delivery_tells_a_partner_admin_nothing_of_the_servers_network(gql, cosell_client, world):
    """Issue 33: an internal name (here `localhost`) and a name that does not exist read back
    the same: not a public address, without what the name resolved to, both failed for good."""
    await partner_admins(world)
    internal = await create_endpoint(gql, world, "alpha_admin", "http://localhost:1/hook")
    missing = await create_endpoint(gql, world, "alpha_admin", "http://no-such-host.invalid:1/hook")
    await register(gql, world, "alpha_user")
    await deliver(cosell_client)
    (on_internal,) = await delivery_log(gql, world, "alpha_admin", internal["endpoint"]["id"])
    (on_missing,) = await delivery_log(gql, world, "alpha_admin", missing["endpoint"]["id"])
    for failed in (on_internal, on_missing):
        assert (failed["status"], failed["attempts"]) == ("FAILED", 1)
        assert "not resolve to a public address" in failed["lastError"]
        assert not any(leak in failed["lastError"] for leak in ("127.0.0.1", "::1", "resolves to", "Errno"))
    assert on_internal["lastError"] == on_missing["lastError"]

    # A redelivery reads back the same.
    body = await gql(REDELIVER, {"input": {"id": on_internal["id"]}}, token=world.tokens["alpha_admin"])
    assert body["data"]["redeliverWebhookDelivery"]["errors"] == []
    await deliver(cosell_client)
    log = await delivery_log(gql, world, "alpha_admin", internal["endpoint"]["id"])
    assert [d["lastError"] for d in log] == [on_missing["lastError"]] * 2


async def test_a_failed_connection_is_told_without_the_address(api, client, world):
    """Issue 33: the transport's own text (which may carry an address) is not the log's."""
    created = await create_endpoint(api, world, "alpha_admin", "http://localhost:1/hook")
    await register(api, world, "alpha_user")
    await deliver(client)
    (pending,) = await delivery_log(api, world, "alpha_admin", created["endpoint"]["id"])
    assert pending["status"] == "PENDING" and pending["lastError"] == "ConnectError: no connection could be made"


async def test_the_delivery_logs_of_a_page_of_endpoints_load_in_constant_statements(api, client, world, receiver):
    query = "{ webhookEndpoints(first: 20) { nodes { id deliveries(first: 3) { totalCount nodes { id status } } } } }"

    async def statements() -> int:
        body = await api(query, token=world.tokens["admin"])
        return body["extensions"]["sqlStatements"]

    await create_endpoint(api, world, "alpha_admin", receiver.url())
    await register(api, world, "alpha_user")
    await deliver(client)
    one = await statements()
    for n in range(4):
        await create_endpoint(api, world, "alpha_admin", receiver.url(f"/more{n}"))
    await register(api, world, "alpha_user", customer={"prospect": {"name": "Globex", "website": "globex.test"}})
    await deliver(client)
    assert await statements() == one
    body = await api(query, token=world.tokens["admin"])
    assert [len(e["deliveries"]["nodes"]) for e in body["data"]["webhookEndpoints"]["nodes"]] == [2, 1, 1, 1, 1]

    # The log pages on with the first page's cursor: newest first, nothing repeated.
    first_endpoint = body["data"]["webhookEndpoints"]["nodes"][0]["id"]
    paged = "query($id: ID!, $after: String) { node(id: $id) { ... on WebhookEndpoint { " \
            "deliveries(first: 1, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } } } }"
    one = (await api(paged, {"id": first_endpoint}, token=world.tokens["admin"]))["data"]["node"]["deliveries"]
    two = (await api(paged, {"id": first_endpoint, "after": one["pageInfo"]["endCursor"]},
                     token=world.tokens["admin"]))["data"]["node"]["deliveries"]
    assert one["pageInfo"]["hasNextPage"] and not two["pageInfo"]["hasNextPage"]
    assert [d["id"] for d in one["nodes"] + two["nodes"]] == [
        d["id"] for d in body["data"]["webhookEndpoints"]["nodes"][0]["deliveries"]["nodes"]]


async def test_partner_users_who_are_not_partner_admins_do_not_manage_webhooks(api, client, world, receiver):
    """PARTNER_USERs work deals; where the partner's data goes is its PARTNER_ADMINs' call."""
    created = await create_endpoint(api, world, "alpha_admin", receiver.url())
    user = world.tokens["alpha_user"]
    for query in ("{ webhookEndpoints { totalCount } }",
                  'mutation { createWebhookEndpoint(input: {url: "https://crm.test/x", eventTypes: [COSELL_TASK]}) '
                  "{ errors { code } } }"):
        body = await api(query, token=user, errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    hidden = await api("query($id: ID!) { node(id: $id) { id } }", {"id": created["endpoint"]["id"]}, token=user)
    assert hidden["data"]["node"] is None
    # Their registrations still reach their partner's endpoint.
    await register(api, world, "alpha_user")
    await deliver(client)
    assert receiver.events() == ["deal_registration.submitted"]


async def test_lead_and_case_events_reach_only_their_partner_and_never_an_internal_comment(api, client, world):
    """P11 leads and D9 cases are webhook sources too: alpha's endpoint hears of the lead shared
    with alpha (and of its rejection, after which the lead is no longer alpha's) and of alpha's
    case with its public comment; beta's hears of nothing of alpha's; internal notes stay inside."""
    from tests.schema.leads import COMMENT_ON_CASE, PICK_UP_CASE, REJECT_LEAD, ok, open_case, shared_lead

    with Receiver() as receiver:
        await create_endpoint(api, world, "alpha_admin", receiver.url("/alpha"), ["LEAD", "CASE"])
        await create_endpoint(api, world, "beta_admin", receiver.url("/beta"), ["LEAD", "CASE"])
        lead = await shared_lead(api, world, "alpha", company="Initrode")
        await ok(api, world, REJECT_LEAD, "alpha_user", id=lead["id"], reason="Outside our territory")
        case = await open_case(api, world, token="alpha_user")
        await ok(api, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
        await ok(api, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="internal note",
                 internal=True)
        await ok(api, world, COMMENT_ON_CASE, "advocate", key="comment", id=case["id"], body="We are on it")
        await deliver(client)

        assert receiver.events("/alpha") == ["lead.shared", "lead.rejected", "case.opened", "case.picked_up",
                                             "case.commented"]
        assert receiver.events("/beta") == []
        bodies = [r.body.decode() for r in receiver.requests]
        assert not any("internal note" in body for body in bodies)
        assert receiver.requests[-1].json["data"]["comment"] == {"body": "We are on it"}
        assert receiver.requests[0].json["data"]["lead"]["id"] == lead["id"]
