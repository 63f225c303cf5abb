"""The AWS Partner Central plugin, later changes (issue 39): stage, amount and close-date
changes of a shared opportunity reach ACE with UpdateOpportunity and its LastModifiedDate
check, through `cosell_opportunity_event` and the plugin's own outbox kind."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from botocore.stub import ANY

from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync
from partners.infra.tables import OutboxMessage
from tests.plugins.aws_setup import MODIFIED, aws_app, aws_deal, shared_with_aws, stub_fixture  # noqa: F401 - the `stub` fixture
from tests.schema.sales import move_ok

UPDATE = """mutation($input: UpdateOpportunityInput!) {
  updateOpportunity(input: $input) { opportunity { id } errors { code } } }"""
AFTER_FIRST = datetime(2026, 12, 7, 18, 30, tzinfo=timezone.utc)
AFTER_AWS_EDIT = datetime(2026, 12, 7, 18, 45, tzinfo=timezone.utc)
AFTER_SECOND = datetime(2026, 12, 7, 19, 0, tzinfo=timezone.utc)


def _update(stub, *, last_modified: datetime, answer: datetime, stage: str = ANY, amount: str | None = None) -> None:
    expected = {"Catalog": "Sandbox", "Identifier": "O1234567", "LastModifiedDate": last_modified,
                "PartnerOpportunityIdentifier": ANY, "OpportunityType": ANY, "PrimaryNeedsFromAws": ANY,
                "NationalSecurity": "No", "Customer": ANY, "Project": ANY, "LifeCycle": ANY}
    stub.add_response("update_opportunity", {"Id": "O1234567", "LastModifiedDate": answer}, expected)


async def test_hook_cosell_opportunity_event_stage_and_amount_changes_reach_ace_in_order(
        gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        await move_ok(gql, world, opportunity, "DISCOVERY")
        body = await gql(UPDATE, {"input": {"id": opportunity, "amountMoney": {"amount": "36000"}}},
                         token=world.tokens["ae"])
        assert body["data"]["updateOpportunity"]["errors"] == []
        # Two events, then two updates: the second sends the LastModifiedDate the first got back.
        _update(stub, last_modified=MODIFIED, answer=AFTER_FIRST)
        _update(stub, last_modified=AFTER_FIRST, answer=AFTER_SECOND)
        report = await drain_outbox(client)
        assert (report.sent, report.retried, report.dead) == (4, 0, 0), "2 events + 2 updates"
        stub.assert_no_pending_responses()
        row = await AwsOpportunitySync.select().first()
        assert row["last_modified"] == AFTER_SECOND.isoformat() and row["last_error"] == ""


async def test_a_conflict_rereads_last_modified_and_updates_again(gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        body = await gql(UPDATE, {"input": {"id": opportunity, "closeDate": "2027-06-30"}}, token=world.tokens["ae"])
        assert body["data"]["updateOpportunity"]["errors"] == []
        # Someone edited the opportunity in Partner Central meanwhile.
        stub.add_client_error("update_opportunity", "ConflictException",
                              "The opportunity was modified since LastModifiedDate", http_status_code=409)
        stub.add_response("get_opportunity", {"Id": "O1234567", "Catalog": "Sandbox",
                                              "LastModifiedDate": AFTER_AWS_EDIT, "CreatedDate": MODIFIED,
                                              "RelatedEntityIdentifiers": {}},
                          {"Catalog": "Sandbox", "Identifier": "O1234567"})
        _update(stub, last_modified=AFTER_AWS_EDIT, answer=AFTER_SECOND)
        report = await drain_outbox(client)
        assert (report.sent, report.dead) == (2, 0)
        stub.assert_no_pending_responses()
        assert (await AwsOpportunitySync.select().first())["last_modified"] == AFTER_SECOND.isoformat()


async def test_unshared_opportunities_send_nothing(gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await aws_deal(gql, world)
        await move_ok(gql, world, opportunity, "DISCOVERY")
        assert (await drain_outbox(client)).sent == 1, "the opportunity event only"
        assert await OutboxMessage.count().where(OutboxMessage.kind == "aws-partner-central.update") == 0


async def test_throttled_update_retries_with_backoff(gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        await move_ok(gql, world, opportunity, "DISCOVERY")
        stub.add_client_error("update_opportunity", "ThrottlingException", "Rate exceeded", http_status_code=429)
        first = await drain_outbox(client)
        assert (first.sent, first.retried) == (1, 1)
        assert (await AwsOpportunitySync.select().first())["last_error"].startswith("ThrottlingException")
        _update(stub, last_modified=MODIFIED, answer=AFTER_FIRST)
        second = await drain_outbox(client, now=datetime.now(timezone.utc) + timedelta(hours=2))
        assert second.sent == 1
        stub.assert_no_pending_responses()
