"""The AWS Partner Central plugin, outbound (issue 39): `shareWithAws` through GraphQL, then
the outbox delivery against a Stubber over the real `partnercentral-selling` model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from botocore.stub import ANY

from cosell_contrib.aws_partner_central import mapping
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync
from partners.infra.tables import OutboxMessage
from partners.opportunities.tables import Opportunity
from tests.plugins.aws_setup import MODIFIED, SHARE, SYNC, aws_app, aws_deal, stub_fixture  # noqa: F401 - the `stub` fixture
from tests.schema.sales import pk

LATER = timedelta(hours=2)


async def _token(opportunity_id: str) -> str:
    row = await Opportunity.select(Opportunity.id, Opportunity.created_at).where(
        Opportunity.id == pk(opportunity_id)).first()
    return mapping.client_token(row)


def _create_params(token: str, opportunity_id: str) -> dict:
    return {
        "Catalog": "Sandbox", "ClientToken": token, "PartnerOpportunityIdentifier": str(pk(opportunity_id)),
        "Origin": "Partner Referral", "OpportunityType": "Net New Business",
        "PrimaryNeedsFromAws": ["Co-Sell - Architectural Validation", "Co-Sell - Deal Support"],
        "NationalSecurity": "No",
        "Customer": {"Account": {"CompanyName": "Globex Corp", "WebsiteUrl": "https://globex.example",
                                 "Address": {"CountryCode": "US"}}},
        "Project": {"Title": "Globex Corp- 50 Premium", "DeliveryModels": ["SaaS or PaaS"],
                    "CustomerBusinessProblem": "Migrate the analytics platform to AWS with a joint POC.",
                    "ExpectedCustomerSpend": [{"Amount": "2000.00", "CurrencyCode": "USD", "Frequency": "Monthly",
                                               "TargetCompany": "AWS"}]},
        "LifeCycle": {"Stage": "Prospect", "TargetCloseDate": "2027-03-31"},
    }


def _expect_share(stub, token: str, opportunity_id: str, *, create: bool = True) -> None:
    if create:
        stub.add_response("create_opportunity", {"Id": "O1234567", "PartnerOpportunityIdentifier":
                                                str(pk(opportunity_id)), "LastModifiedDate": MODIFIED},
                          _create_params(token, opportunity_id))
    stub.add_response("start_engagement_from_opportunity_task",
                      {"TaskId": "task-1234567890", "TaskStatus": "IN_PROGRESS", "OpportunityId": "O1234567",
                       "StartTime": MODIFIED},
                      {"Catalog": "Sandbox", "ClientToken": f"{token}-submit", "Identifier": "O1234567",
                       "AwsSubmission": {"InvolvementType": "Co-Sell", "Visibility": "Full"}})
    stub.add_response("associate_opportunity", {},
                      {"Catalog": "Sandbox", "OpportunityIdentifier": "O1234567", "RelatedEntityType": "Solutions",
                       "RelatedEntityIdentifier": "S-0000123"})


async def test_hook_cosell_outbox_handlers_share_creates_submits_and_associates_after_commit(gql, world, cosell_app_factory, stub, drain_outbox):
    opportunity = await aws_deal(gql, world)
    token = await _token(opportunity)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        body = await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
        payload = body["data"]["shareWithAws"]
        assert payload["errors"] == []
        assert payload["sync"] == {"state": "SHARE_REQUESTED", "aceId": None, "reviewStatus": None,
                                   "lastError": None, "outboxStatus": "PENDING", "catalog": "Sandbox"}
        _expect_share(stub, token, opportunity)
        report = await drain_outbox(client)
        assert (report.sent, report.retried, report.dead) == (1, 0, 0)
        stub.assert_no_pending_responses()
        seen = (await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["cm_amer"]))["data"]["awsOpportunitySync"]
        assert (seen["state"], seen["aceId"], seen["reviewStatus"], seen["lastError"], seen["outboxStatus"]) == \
            ("ASSOCIATED", "O1234567", "Submitted", None, "SENT")
        again = (await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"]))["data"]["shareWithAws"]
        assert [(e["code"], e["rule"]) for e in again["errors"]] == [("ALREADY_SHARED", "D8")]


async def test_create_and_submit_exactly_once_across_a_crash_between_call_and_commit(
        gql, world, cosell_app_factory, stub, drain_outbox):
    """ACE created the opportunity, then the process died before the ACE id was committed:
    the retry sends CreateOpportunity with the same ClientToken, ACE answers the same id,
    and the opportunity is submitted once."""
    opportunity = await aws_deal(gql, world)
    token = await _token(opportunity)
    crashes = []

    def crash_after_create(**kwargs):
        if not crashes:
            crashes.append(1)
            raise ConnectionError("process died after ACE answered")

    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
        stub.client.meta.events.register("after-call.partnercentral-selling.CreateOpportunity", crash_after_create)
        stub.add_response("create_opportunity", {"Id": "O1234567", "LastModifiedDate": MODIFIED},
                          _create_params(token, opportunity))
        first = await drain_outbox(client)
        assert (first.sent, first.retried) == (0, 1)
        assert (await AwsOpportunitySync.select().first())["ace_id"] == "", "nothing committed"
        _expect_share(stub, token, opportunity)  # the same ClientToken: ACE answers the same opportunity
        second = await drain_outbox(client, now=datetime.now(timezone.utc) + LATER)
        assert (second.sent, second.retried, second.dead) == (1, 0, 0)
        stub.assert_no_pending_responses()
        row = await AwsOpportunitySync.select().first()
        assert (row["ace_id"], row["state"], row["engagement_task_id"]) == ("O1234567", "ASSOCIATED", "task-1234567890")
        assert await AwsOpportunitySync.count() == 1


async def test_throttling_retries_with_backoff_and_resumes_after_the_create(
        gql, world, cosell_app_factory, stub, drain_outbox):
    opportunity = await aws_deal(gql, world)
    token = await _token(opportunity)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
        stub.add_response("create_opportunity", {"Id": "O1234567", "LastModifiedDate": MODIFIED},
                          _create_params(token, opportunity))
        stub.add_client_error("start_engagement_from_opportunity_task", "ThrottlingException", "Rate exceeded",
                              http_status_code=429, expected_params={"Catalog": "Sandbox", "ClientToken": ANY,
                                                                     "Identifier": "O1234567", "AwsSubmission": ANY})
        first = await drain_outbox(client)
        assert (first.sent, first.retried) == (0, 1)
        seen = (await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["admin"]))["data"]["awsOpportunitySync"]
        assert (seen["state"], seen["aceId"], seen["outboxStatus"]) == ("CREATED", "O1234567", "PENDING")
        assert seen["lastError"].startswith("ThrottlingException")
        assert (await drain_outbox(client)).claimed == 0, "not due before the backoff"
        _expect_share(stub, token, opportunity, create=False)  # no second CreateOpportunity
        second = await drain_outbox(client, now=datetime.now(timezone.utc) + LATER)
        assert second.sent == 1
        stub.assert_no_pending_responses()


async def test_a_validation_error_is_dead_at_once_and_shown_to_staff(
        gql, world, cosell_app_factory, stub, drain_outbox):
    opportunity = await aws_deal(gql, world)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["cm_amer"])
        stub.add_client_error("create_opportunity", "ValidationException",
                              "Customer.Account.Industry is required", http_status_code=400)
        report = await drain_outbox(client)
        assert (report.sent, report.retried, report.dead) == (0, 0, 1)
        seen = (await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["admin"]))["data"]["awsOpportunitySync"]
        assert (seen["state"], seen["outboxStatus"]) == ("FAILED", "DEAD")
        assert "ValidationException" in seen["lastError"] and "Industry" in seen["lastError"]
        assert (await OutboxMessage.select(OutboxMessage.status).where(
            OutboxMessage.kind == "aws-partner-central.share").first())["status"] == "DEAD"


async def test_access_denied_is_dead_at_once(gql, world, cosell_app_factory, stub, drain_outbox):
    opportunity = await aws_deal(gql, world)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
        stub.add_client_error("create_opportunity", "AccessDeniedException",
                              "not authorized to perform partnercentral:CreateOpportunity", http_status_code=403)
        assert (await drain_outbox(client)).dead == 1
        row = await AwsOpportunitySync.select().first()
        assert row["state"] == "FAILED" and row["last_error"].startswith("AccessDeniedException")


async def test_who_may_share_and_when_d8(gql, world, cosell_app_factory, stub):
    opportunity = await aws_deal(gql, world)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        refused = (await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["sales_ops"]))["data"]["shareWithAws"]
        assert [(e["code"], e["field"], e["rule"]) for e in refused["errors"]] == \
            [("NOT_ALLOWED_TO_SHARE", ["opportunityId"], "D8")]
        forbidden = await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["alpha_user"], errors=True)
        assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        hidden = await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["alpha_user"], errors=True)
        assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert await AwsOpportunitySync.count() == 0 and await OutboxMessage.count().where(
            OutboxMessage.kind == "aws-partner-central.share") == 0


async def test_without_a_cloud_plan_with_aws_nothing_is_shared(gql, world, cosell_app_factory, stub):
    from tests.schema.sales import create_account, create_opportunity

    account = await create_account(gql, world, name="Initech")
    opportunity = (await create_opportunity(gql, world, account, name="Initech- 50 Premium"))["id"]
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        payload = (await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["cm_amer"]))["data"]["shareWithAws"]
        assert [(e["code"], e["rule"]) for e in payload["errors"]] == [("NO_AWS_COSELL_PLAN", "D8")]
        assert payload["sync"] is None and await AwsOpportunitySync.count() == 0


async def test_plugin_off_the_schema_has_none_of_its_fields(gql, world, cosell_app_factory):
    import cosell_contrib.aws_partner_central as plugin

    names = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"
    async with cosell_app_factory(extra_plugins=[("aws-partner-central", plugin)]) as client:  # no catalog: off
        from server.testing import GraphQLClient

        schema = (await GraphQLClient(client)(names, token=world.tokens["admin"]))["data"]["__schema"]
    fields = {f["name"] for f in schema["queryType"]["fields"]} | {f["name"] for f in schema["mutationType"]["fields"]}
    assert "awsOpportunitySync" not in fields and "shareWithAws" not in fields


async def test_plugin_on_the_schema_has_its_fields(gql, world, cosell_app_factory, stub):
    names = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        schema = (await aws_gql(names, token=world.tokens["admin"]))["data"]["__schema"]
    assert "awsOpportunitySync" in {f["name"] for f in schema["queryType"]["fields"]}
    assert "shareWithAws" in {f["name"] for f in schema["mutationType"]["fields"]}
