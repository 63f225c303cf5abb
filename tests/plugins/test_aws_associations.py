"""The AWS Partner Central plugin, associations (issue 39): a channel manager or the owner
chooses which solutions, AWS products and Marketplace offers an opportunity's ACE opportunity
is associated with (D8); each is associated exactly once (its state committed after its own
call), removed ones are disassociated. Every request is checked by the Stubber against the
real `partnercentral-selling` model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cosell_contrib.aws_partner_central.tables import AwsAssociation, AwsOpportunitySync
from partners.infra.tables import OutboxMessage
from tests.plugins.aws_setup import MODIFIED, SHARE, aws_app, aws_deal, shared_with_aws, stub_fixture  # noqa: F401

OFFER = "arn:aws:aws-marketplace:us-east-1:123456789012:AWSMarketplace/Offer/offer-abcdefghijk"
CHOSEN = [{"type": "SOLUTION", "identifier": "S-0000456"}, {"type": "AWS_PRODUCT", "identifier": "AmazonRedshift"},
          {"type": "MARKETPLACE_OFFER", "identifier": OFFER}]
SHARE_WITH = """mutation($id: ID!, $associations: [AwsAssociationInput!]) {
  shareWithAws(input: {opportunityId: $id, associations: $associations}) {
    sync { state associations { type identifier state } } errors { code field rule } } }"""
SET = """mutation($id: ID!, $associations: [AwsAssociationInput!]!) {
  setAwsAssociations(input: {opportunityId: $id, associations: $associations}) {
    sync { state } errors { code field rule } } }"""
SEEN = """query($id: ID!) { awsOpportunitySync(opportunityId: $id) {
  state lastError associations { type identifier state lastError } } }"""
LATER = timedelta(hours=2)


def _expect(stub, operation: str, entity_type: str, identifier: str) -> None:
    stub.add_response(operation, {}, {"Catalog": "Sandbox", "OpportunityIdentifier": "O1234567",
                                      "RelatedEntityType": entity_type, "RelatedEntityIdentifier": identifier})


def _created_and_submitted(stub) -> None:
    stub.add_response("create_opportunity", {"Id": "O1234567", "LastModifiedDate": MODIFIED})
    stub.add_response("start_engagement_from_opportunity_task", {"TaskId": "task-1234567890"})


async def _associations(aws_gql, world, opportunity) -> list[tuple]:
    seen = (await aws_gql(SEEN, {"id": opportunity}, token=world.tokens["admin"]))["data"]["awsOpportunitySync"]
    return [(a["type"], a["identifier"], a["state"]) for a in seen["associations"]]


async def test_the_chosen_solutions_products_and_offers_are_associated_once_each(
        gql, world, cosell_app_factory, stub, drain_outbox):
    opportunity = await aws_deal(gql, world)
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        payload = (await aws_gql(SHARE_WITH, {"id": opportunity, "associations": CHOSEN},
                                 token=world.tokens["cm_amer"]))["data"]["shareWithAws"]
        assert payload["errors"] == []
        assert [(a["type"], a["state"]) for a in payload["sync"]["associations"]] == [
            ("SOLUTION", "PENDING"), ("AWS_PRODUCT", "PENDING"), ("MARKETPLACE_OFFER", "PENDING")]
        _created_and_submitted(stub)
        _expect(stub, "associate_opportunity", "Solutions", "S-0000456")
        stub.add_client_error("associate_opportunity", "ThrottlingException", "Rate exceeded", http_status_code=429)
        first = await drain_outbox(client)
        assert (first.sent, first.retried) == (0, 1)
        assert await _associations(aws_gql, world, opportunity) == [
            ("SOLUTION", "S-0000456", "ASSOCIATED"), ("AWS_PRODUCT", "AmazonRedshift", "PENDING"),
            ("MARKETPLACE_OFFER", OFFER, "PENDING")]
        # The retry associates the two left, not the solution again (nor creates or submits again).
        _expect(stub, "associate_opportunity", "AwsProducts", "AmazonRedshift")
        _expect(stub, "associate_opportunity", "AwsMarketplaceOffers", OFFER)
        second = await drain_outbox(client, now=datetime.now(timezone.utc) + LATER)
        assert second.sent == 1
        stub.assert_no_pending_responses()
        assert [state for *_, state in await _associations(aws_gql, world, opportunity)] == ["ASSOCIATED"] * 3
        assert (await AwsOpportunitySync.select(AwsOpportunitySync.state).first())["state"] == "ASSOCIATED"


async def test_identifiers_are_checked_against_aces_formats_and_nothing_is_written(
        gql, world, cosell_app_factory, stub):
    opportunity = await aws_deal(gql, world)
    bad = [{"type": "SOLUTION", "identifier": "solution-1"}, {"type": "MARKETPLACE_OFFER", "identifier": "offer-1"},
           {"type": "AWS_PRODUCT", "identifier": "Amazon Redshift"}, {"type": "SOLUTION", "identifier": "S-1"},
           {"type": "SOLUTION", "identifier": "S-1"}]
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        payload = (await aws_gql(SHARE_WITH, {"id": opportunity, "associations": bad},
                                 token=world.tokens["ae"]))["data"]["shareWithAws"]
        assert [(e["code"], e["field"], e["rule"]) for e in payload["errors"]] == [
            ("INVALID_AWS_IDENTIFIER", ["associations", "0", "identifier"], "D8"),
            ("INVALID_AWS_IDENTIFIER", ["associations", "1", "identifier"], "D8"),
            ("INVALID_AWS_IDENTIFIER", ["associations", "2", "identifier"], "D8"),
            ("DUPLICATE_ASSOCIATION", ["associations", "4", "identifier"], "D8")]
        assert await AwsOpportunitySync.count() == 0 and await AwsAssociation.count() == 0
        assert await OutboxMessage.count().where(OutboxMessage.kind == "aws-partner-central.share") == 0


async def test_changing_the_associations_disassociates_the_removed_ones(
        gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)  # S-0000123, the default
        wanted = [{"type": "AWS_PRODUCT", "identifier": "AmazonRedshift"}]
        payload = (await aws_gql(SET, {"id": opportunity, "associations": wanted},
                                 token=world.tokens["ae"]))["data"]["setAwsAssociations"]
        assert payload["errors"] == []
        assert await _associations(aws_gql, world, opportunity) == [
            ("SOLUTION", "S-0000123", "REMOVING"), ("AWS_PRODUCT", "AmazonRedshift", "PENDING")]
        _expect(stub, "disassociate_opportunity", "Solutions", "S-0000123")
        _expect(stub, "associate_opportunity", "AwsProducts", "AmazonRedshift")
        assert (await drain_outbox(client)).sent == 1
        stub.assert_no_pending_responses()
        assert await _associations(aws_gql, world, opportunity) == [("AWS_PRODUCT", "AmazonRedshift", "ASSOCIATED")]
        again = (await aws_gql(SET, {"id": opportunity, "associations": wanted},
                               token=world.tokens["cm_amer"]))["data"]["setAwsAssociations"]
        assert again["errors"] == [] and (await drain_outbox(client)).sent == 0, "nothing to change: no call"


async def test_an_association_ace_already_has_counts_as_done(gql, world, cosell_app_factory, stub, drain_outbox):
    """A crash after AssociateOpportunity and before our commit: the retry's association is
    answered ConflictException, which means it is there."""
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        await aws_gql(SET, {"id": opportunity, "associations": [
            {"type": "SOLUTION", "identifier": "S-0000123"}, {"type": "AWS_PRODUCT", "identifier": "AWSLambda"}]},
            token=world.tokens["ae"])
        stub.add_client_error("associate_opportunity", "ConflictException", "Already associated",
                              http_status_code=409)
        assert (await drain_outbox(client)).sent == 1
        assert [state for *_, state in await _associations(aws_gql, world, opportunity)] == ["ASSOCIATED"] * 2


async def test_who_may_set_associations_and_when(gql, world, cosell_app_factory, stub):
    opportunity = await aws_deal(gql, world)
    wanted = [{"type": "AWS_PRODUCT", "identifier": "AmazonRedshift"}]
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        early = (await aws_gql(SET, {"id": opportunity, "associations": wanted},
                               token=world.tokens["ae"]))["data"]["setAwsAssociations"]
        assert [(e["code"], e["rule"]) for e in early["errors"]] == [("NOT_SHARED", "D8")]
        await aws_gql(SHARE, {"id": opportunity}, token=world.tokens["ae"])
        refused = (await aws_gql(SET, {"id": opportunity, "associations": wanted},
                                 token=world.tokens["sales_ops"]))["data"]["setAwsAssociations"]
        assert [(e["code"], e["rule"]) for e in refused["errors"]] == [("NOT_ALLOWED_TO_SHARE", "D8")]
        forbidden = await aws_gql(SET, {"id": opportunity, "associations": wanted},
                                  token=world.tokens["alpha_user"], errors=True)
        assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert [(r["identifier"], r["state"]) for r in await AwsAssociation.select()] == [("S-0000123", "PENDING")]
