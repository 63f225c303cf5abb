"""The AWS Partner Central plugin in a real cosell server (issue 39): uvicorn in its own
process with the plugin loaded and configured through its settings, its boto3 client pointed
at a local stand-in of the Partner Central Selling API (tests/plugins/aws_fake_ace.py: the
awsJson1_0 protocol, every request body validated against botocore's model). Everything
goes through HTTP GraphQL and the server's own background jobs; no network beyond 127.0.0.1."""

from __future__ import annotations

import os
import time

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cosell_contrib.aws_partner_central import mapping
from partners.opportunities.tables import Opportunity
from server.testing import GraphQLClient, make_partner
from server.testing_plugins import eventually
from tests.plugins.aws_fake_ace import FakeAce
from tests.plugins.aws_setup import SHARE, SYNC, aws_deal
from tests.plugins.test_aws_referral_opportunities import ACCEPT_AS, LIST, OPPORTUNITY
from tests.schema.sales import gid, pk

PLUGIN = "COSELL_PLUGIN_AWS_PARTNER_CENTRAL_"
NAMES = "{ __schema { queryType { fields { name } } mutationType { fields { name } } types { name } } }"
SUBMISSION = ["CreateOpportunity", "StartEngagementFromOpportunityTask", "AssociateOpportunity"]


def _aws_env(endpoint: str | None) -> dict[str, str]:
    """The plugin loaded (its entry point), dummy credentials, no AWS config of the machine."""
    env = {"COSELL_PLUGINS": "aws-partner-central", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    if endpoint is not None:
        env.update({f"{PLUGIN}CATALOG": "Sandbox", f"{PLUGIN}ENDPOINT_URL": endpoint,
                    f"{PLUGIN}SOLUTION_ID": "S-0000123", f"{PLUGIN}JOB_INTERVAL": "1"})
    return env


async def test_share_reaches_ace_and_the_review_status_comes_back(gql, world, cosell_live_server_factory):
    opportunity = await aws_deal(gql, world)
    created = await Opportunity.select(Opportunity.id, Opportunity.created_at).where(
        Opportunity.id == pk(opportunity)).first()
    with FakeAce(review_status="Approved", stage="Qualified") as ace, \
            cosell_live_server_factory(background_jobs=True, **_aws_env(ace.url)) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            live = GraphQLClient(http)
            shared = (await live(SHARE, {"id": opportunity}, token=world.tokens["ae"]))["data"]["shareWithAws"]
            assert shared["errors"] == [] and shared["sync"]["state"] == "SHARE_REQUESTED"

            async def reviewed():
                sync = (await live(SYNC, {"id": opportunity}, token=world.tokens["cm_amer"]))["data"][
                    "awsOpportunitySync"]
                return sync if sync["reviewStatus"] == "Approved" else None

            sync = await eventually(reviewed)
        assert (sync["state"], sync["aceId"], sync["awsStage"], sync["lastError"], sync["outboxStatus"]) == (
            "ASSOCIATED", "O1234567", "Qualified", None, "SENT")
        assert ace.invalid == []
        calls = [name for name in ace.operations() if name != "ListEngagementInvitations"]
        assert [name for name in calls if name != "GetOpportunity"] == SUBMISSION, "each step once"
        assert calls.index("GetOpportunity") > calls.index("StartEngagementFromOpportunityTask"), \
            "read back only once submitted"
        (create,) = ace.bodies("CreateOpportunity")
        assert create["ClientToken"] == mapping.client_token(created) and create["Catalog"] == "Sandbox"
        assert ace.bodies("AssociateOpportunity") == [{
            "Catalog": "Sandbox", "OpportunityIdentifier": "O1234567", "RelatedEntityType": "Solutions",
            "RelatedEntityIdentifier": "S-0000123"}]


async def test_a_referral_accepted_over_http_becomes_an_opportunity_followed_in_ace(
        world, cosell_live_server_factory):
    world.partners["aws"] = await make_partner("Amazon Web Services", nickname="AWS", partner_type="CLOUD_ALLIANCE")
    now = time.time()
    invitation = {
        "Id": "engi-0000000000021", "Catalog": "Sandbox", "PayloadType": "OpportunityInvitation",
        "Status": "PENDING", "EngagementTitle": "Initech data lake", "EngagementId": "eng-1234567890abcd",
        "InvitationDate": now - 86400, "ExpirationDate": now + 14 * 86400,
        "SenderCompanyName": "Amazon Web Services", "Payload": {"OpportunityInvitation": {
            "ReceiverResponsibilities": ["Co-Sell Facilitator"],
            "Customer": {"CompanyName": "Initech", "WebsiteUrl": "https://initech.example", "CountryCode": "US",
                         "Industry": "Software and Internet"},
            "Project": {"Title": "Data lake on AWS", "BusinessProblem": "Consolidate the data warehouses.",
                        "TargetCompletionDate": "2027-06-30", "ExpectedCustomerSpend": [
                            {"Amount": "5000", "CurrencyCode": "USD", "Frequency": "Monthly",
                             "TargetCompany": "AWS"}]}}}}
    with FakeAce(review_status="In review", invitations=[invitation]) as ace, cosell_live_server_factory(
            background_jobs=True, **_aws_env(ace.url), **{f"{PLUGIN}REFERRALS_AS": "opportunity"}) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            live = GraphQLClient(http)

            async def imported():
                return (await live(LIST, token=world.tokens["sales_ops"]))["data"]["awsInvitations"]

            assert [i["becomes"] for i in await eventually(imported)] == ["OPPORTUNITY"]
            accepted = (await live(ACCEPT_AS, {"input": {"invitationId": "engi-0000000000021",
                                                         "ownerId": gid("User", world.user_ids["ae"])}},
                                   token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
            assert accepted["errors"] == []
            opportunity = accepted["invitation"]["opportunityId"]

            async def reviewed():
                sync = (await live(SYNC, {"id": opportunity}, token=world.tokens["cm_amer"]))["data"][
                    "awsOpportunitySync"]
                return sync if sync and sync["reviewStatus"] == "In review" else None

            sync = await eventually(reviewed)
            assert (sync["aceId"], sync["state"]) == ("O1234567", "ACCEPTED_REFERRAL")
            assert [i["status"] for i in await imported()] == ["ACCEPTED"]
            seen = (await live(OPPORTUNITY, {"id": opportunity}, token=world.tokens["ae"]))["data"]["node"]
            assert (seen["name"], seen["owner"], seen["partners"]) == (
                "Initech- Data lake on AWS", {"email": "ae@cosell.test"},
                [{"role": "INFLUENCER", "partner": {"nickname": "AWS"}}])
        assert ace.invalid == []
        assert ace.operations().count("StartEngagementByAcceptingInvitationTask") == 1
        assert ace.operations().count("GetEngagementInvitation") == 1


async def test_the_plugin_off_server_has_none_of_its_fields(world, cosell_live_server_factory):
    with cosell_live_server_factory(**_aws_env(None)) as url:  # loaded, no catalog: off
        async with httpx.AsyncClient(base_url=url) as http:
            schema = (await GraphQLClient(http)(NAMES, token=world.tokens["admin"]))["data"]["__schema"]
    names = {f["name"] for f in schema["queryType"]["fields"] + schema["mutationType"]["fields"]}
    assert names and not {n for n in names if "aws" in n.lower()}
    assert not {t["name"] for t in schema["types"] if t["name"].startswith("Aws")}


def test_the_stand_in_refuses_what_the_model_refuses():
    """So an empty `ace.invalid` above means something: a request botocore's own client-side
    check would have stopped (turned off here) is answered ValidationException and kept."""
    with FakeAce() as ace:
        client = boto3.client("partnercentral-selling", region_name="us-east-1", endpoint_url=ace.url,
                              aws_access_key_id="testing", aws_secret_access_key="testing",
                              config=Config(parameter_validation=False, retries={"max_attempts": 1}))
        with pytest.raises(ClientError) as refused:
            client.associate_opportunity(Catalog="Sandbox", OpportunityIdentifier="opportunity-1",
                                         RelatedEntityType="Partners", RelatedEntityIdentifier="S-0000123")
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert len(ace.invalid) == 1 and "OpportunityIdentifier" in ace.invalid[0] and "Partners" in ace.invalid[0]
        answer = client.list_engagement_invitations(Catalog="Sandbox", ParticipantType="RECEIVER")
        assert answer["EngagementInvitationSummaries"] == [] and len(ace.invalid) == 1, "a valid one is answered"
