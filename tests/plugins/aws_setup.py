"""Test setup of the AWS Partner Central plugin (issue 39): an opportunity with a D8 co-sell
plan with AWS, an app with the plugin configured, and a `partnercentral-selling` client built
by boto3 over the real service model, wrapped in botocore's Stubber (no network; every
request is checked against the model: names, types, required members by the Stubber, enums
and patterns by `check_model`)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber

import cosell_contrib.aws_partner_central as plugin
from cosell_contrib.aws_partner_central import client as aws_client
from server.testing import GraphQLClient, make_partner
from tests.plugins.aws_fake_ace import model_violations
from tests.schema.cosell import create_plan
from tests.schema.sales import add_partner_ok, create_account, create_opportunity

NAME = "aws-partner-central"
SHARE = """mutation($id: ID!) { shareWithAws(input: {opportunityId: $id}) {
  sync { state aceId reviewStatus lastError outboxStatus catalog } errors { code field rule } } }"""
SYNC = """query($id: ID!) { awsOpportunitySync(opportunityId: $id) {
  state aceId reviewStatus reviewComments awsStage lastError outboxStatus lastSyncedAt } }"""
MODIFIED = datetime(2026, 12, 7, 18, 0, tzinfo=timezone.utc)


@pytest.fixture(name="stub")
def stub_fixture(monkeypatch):
    """The stubbed client the plugin uses, with the plugin configured for the Sandbox catalog."""
    monkeypatch.setenv("COSELL_PLUGIN_AWS_PARTNER_CENTRAL_CATALOG", "Sandbox")
    monkeypatch.setenv("COSELL_PLUGIN_AWS_PARTNER_CENTRAL_SOLUTION_ID", "S-0000123")
    client = boto3.client("partnercentral-selling", region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    stubber = Stubber(client)

    def check_model(params, model, **kwargs):
        # The Stubber validates with botocore's ParamValidator (names, types, required
        # members); enums and patterns are the service's to check: checked here.
        problems = model_violations(params, model.input_shape)
        assert not problems, f"{model.name}: {problems}"

    client.meta.events.register("before-parameter-build.partnercentral-selling", check_model)
    aws_client.use_client(client)
    with stubber:
        yield stubber
    aws_client.use_client(None)


@contextlib.asynccontextmanager
async def aws_app(cosell_app_factory):
    async with cosell_app_factory(extra_plugins=[(NAME, plugin)]) as client:
        yield client, GraphQLClient(client)


async def aws_deal(gql, world, *, amount=24000.0) -> str:
    """A ranked account's opportunity with AWS on the team and a services-and-support plan
    with AWS (D8); the AE `ae` owns it."""
    aws = await make_partner("Amazon Web Services", nickname="AWS", partner_type="CLOUD_ALLIANCE")
    world.partners["aws"] = aws
    account = await create_account(gql, world, name="Globex Corp", ranking="RANK_1_5", rankingNote="Top account",
                                   website="globex.example")
    opportunity = await create_opportunity(gql, world, account, name="Globex Corp- 50 Premium", amount=amount,
                                           closeDate="2027-03-31")
    await add_partner_ok(gql, world, opportunity["id"], aws, "INFLUENCER")
    await create_plan(gql, world, opportunity["id"], "aws", token="cm_amer",
                      goals="Migrate the analytics platform to AWS with a joint POC.")
    return opportunity["id"]


async def shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql) -> str:
    """An AWS co-sell opportunity shared by its AE, delivered: created, submitted and
    associated in ACE (ids O1234567, task-1234567890)."""
    opportunity = await aws_deal(gql, world)
    await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
    stub.add_response("create_opportunity", {"Id": "O1234567", "LastModifiedDate": MODIFIED})
    stub.add_response("start_engagement_from_opportunity_task", {"TaskId": "task-1234567890"})
    stub.add_response("associate_opportunity", {})
    assert (await drain_outbox(client)).sent == 1
    return opportunity
