"""The AWS Partner Central plugin, referrals as opportunities (issue 39, REFERRALS_AS=opportunity):
an accepted engagement invitation becomes an opportunity on the customer's account (found by
D1's matching or created, A5) with AWS on its team and a co-sell plan with AWS (D3, D8); AWS
hears the answer once, after commit; the expiry is enforced as for leads (P11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cosell_contrib.aws_partner_central.tables import AwsInvitation, AwsOpportunitySync
from partners.accounts.tables import Account
from partners.infra.tables import AuditEntry, OutboxMessage
from partners.leads.tables import Lead
from partners.opportunities.tables import Opportunity
from partners.plans.tables import CoSellPlan
from server.testing import make_partner
from tests.plugins.aws_setup import SYNC, aws_app, stub_fixture  # noqa: F401 - the `stub` fixture
from tests.plugins.test_aws_referrals import ACCEPT, NOW, REJECT, _expect_import, _run_job
from tests.schema.sales import create_account, gid

LIST = """query { awsInvitations { invitationId status becomes opportunityId expired aceOpportunityId
  customer { companyName website country projectTitle expectedMonthlySpend currency targetCompletionDate } } }"""
ACCEPT_AS = """mutation($input: AnswerAwsInvitationInput!) { acceptAwsInvitation(input: $input) {
  invitation { status opportunityId } errors { code field rule } } }"""
OPPORTUNITY = """query($id: ID!) { node(id: $id) { ... on Opportunity { name stage currency closeDate
  amountMoney { amount currency } owner { email } account { name }
  partners { role partner { nickname } } } } }"""
INVITATION = "engi-0000000000011"


@pytest.fixture(name="as_opportunity")
def as_opportunity_fixture(monkeypatch, stub):
    monkeypatch.setenv("COSELL_PLUGIN_AWS_PARTNER_CENTRAL_REFERRALS_AS", "opportunity")
    return stub


async def _imported(client, stub, world, expires=None) -> None:
    world.partners["aws"] = await make_partner("Amazon Web Services", nickname="AWS", partner_type="CLOUD_ALLIANCE")
    _expect_import(stub, (INVITATION, expires or NOW + timedelta(days=14)))
    assert await _run_job(client) == 1


def _accepted_answer(stub) -> None:
    stub.add_response("start_engagement_by_accepting_invitation_task",
                      {"TaskId": "task-accept-000011", "TaskStatus": "IN_PROGRESS", "OpportunityId": "O7654321",
                       "EngagementInvitationId": INVITATION},
                      {"Catalog": "Sandbox", "Identifier": INVITATION, "ClientToken": f"cosell-accept-{INVITATION}"})


async def test_accepting_makes_the_opportunity_with_aws_and_answers_aws_once(
        world, cosell_app_factory, as_opportunity, drain_outbox):
    stub = as_opportunity
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, stub, world)
        assert await Lead.count() == 0, "no lead: it becomes an opportunity"
        listed = (await aws_gql(LIST, token=world.tokens["cm_amer"]))["data"]["awsInvitations"]
        assert listed == [{"invitationId": INVITATION, "status": "PENDING", "becomes": "OPPORTUNITY",
                           "opportunityId": None, "expired": False, "aceOpportunityId": None,
                           "customer": {"companyName": "Initech", "website": "https://initech.example",
                                        "country": "US", "projectTitle": "Data lake on AWS",
                                        "expectedMonthlySpend": "5000", "currency": "USD",
                                        "targetCompletionDate": "2027-06-30"}}]
        refused = (await aws_gql(ACCEPT, {"input": {"invitationId": INVITATION}},
                                 token=world.tokens["cm_amer"]))["data"]["acceptAwsInvitation"]
        assert refused["errors"] == [{"code": "NOT_ALLOWED_TO_ACCEPT", "field": ["invitationId"], "rule": "D8"}]

        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION,
                                                       "ownerId": gid("User", world.user_ids["ae"])}},
                                 token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
        assert payload["errors"] == [] and payload["invitation"]["status"] == "ACCEPTING"
        opportunity_id = payload["invitation"]["opportunityId"]
        seen = (await aws_gql(OPPORTUNITY, {"id": opportunity_id}, token=world.tokens["ae"]))["data"]["node"]
        assert seen == {"name": "Initech- Data lake on AWS", "stage": "PENDING_ACCEPTANCE", "currency": "USD",
                        "closeDate": "2027-06-30", "amountMoney": {"amount": "60000.00", "currency": "USD"},
                        "owner": {"email": "ae@cosell.test"}, "account": {"name": "Initech"},
                        "partners": [{"role": "INFLUENCER", "partner": {"nickname": "AWS"}}]}
        account = await Account.select(Account.account_type, Account.country, Account.website, Account.region).where(
            Account.name == "Initech").first()
        assert account == {"account_type": "PROSPECT", "country": "US", "website": "https://initech.example",
                           "region": "AMER"}
        plan = await CoSellPlan.select(CoSellPlan.partner, CoSellPlan.goals, CoSellPlan.motion).first()
        assert plan == {"partner": world.partners["aws"], "goals": "Consolidate the data warehouses.",
                        "motion": "PARTNER_LED"}, "D8 on an unranked (new) account"

        _accepted_answer(stub)
        assert (await drain_outbox(client)).sent == 1, "the answer (cosell has no event for a new opportunity)"
        stub.assert_no_pending_responses()
        assert (await drain_outbox(client)).sent == 0, "AWS hears it once"
        assert await OutboxMessage.count().where(OutboxMessage.kind == "aws-partner-central.invitation") == 1
        listed = (await aws_gql(LIST, token=world.tokens["admin"]))["data"]["awsInvitations"]
        assert (listed[0]["status"], listed[0]["aceOpportunityId"]) == ("ACCEPTED", "O7654321")
        followed = (await aws_gql(SYNC, {"id": opportunity_id}, token=world.tokens["cm_amer"]))["data"][
            "awsOpportunitySync"]
        assert (followed["aceId"], followed["state"]) == ("O7654321", "ACCEPTED_REFERRAL")
        audit = await AuditEntry.select(AuditEntry.mutation, AuditEntry.result, AuditEntry.error_codes).where(
            AuditEntry.mutation == "acceptAwsInvitation").order_by(AuditEntry.id)
        assert [(a["result"], a["error_codes"]) for a in audit] == [("USER_ERROR", "NOT_ALLOWED_TO_ACCEPT"),
                                                                     ("OK", "")]


async def test_the_customer_is_matched_to_an_existing_account_d1(
        gql, world, cosell_app_factory, as_opportunity, drain_outbox):
    existing = await create_account(gql, world, name="Initech, Inc.", website="www.initech.example")
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, as_opportunity, world)
        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION}},
                                 token=world.tokens["admin"]))["data"]["acceptAwsInvitation"]
        assert payload["errors"] == []
        assert await Account.count().where(Account.name == "Initech") == 0, "no second account"
        row = await Opportunity.select(Opportunity.account, Opportunity.owner).first()
        assert gid("Account", row["account"]) == existing
        assert row["owner"] == world.user_ids["admin"], "no owner given, none on the account: the caller"


async def test_rejecting_makes_nothing_and_sends_the_reason(world, cosell_app_factory, as_opportunity, drain_outbox):
    stub = as_opportunity
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, stub, world)
        payload = (await aws_gql(REJECT, {"input": {"invitationId": INVITATION, "reason": "Not our segment"}},
                                 token=world.tokens["cm_amer"]))["data"]["rejectAwsInvitation"]
        assert payload["errors"] == []
        stub.add_response("reject_engagement_invitation", {},
                          {"Catalog": "Sandbox", "Identifier": INVITATION, "RejectionReason": "Not our segment"})
        assert (await drain_outbox(client)).sent == 1
        stub.assert_no_pending_responses()
        assert await Opportunity.count() == 0 and await Account.count().where(Account.name == "Initech") == 0
        assert (await AwsInvitation.select(AwsInvitation.status).first())["status"] == "REJECTED"


async def test_an_expired_referral_makes_no_opportunity(world, cosell_app_factory, as_opportunity):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, as_opportunity, world, expires=NOW + timedelta(days=1))
        await AwsInvitation.update({AwsInvitation.expires_at: NOW - timedelta(minutes=1)}, force=True)
        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION}},
                                 token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
        assert payload["errors"] == [{"code": "INVITATION_EXPIRED", "field": ["id"], "rule": "P11"}]
        assert await Opportunity.count() == 0 and await AwsOpportunitySync.count() == 0
        assert await OutboxMessage.count().where(OutboxMessage.kind == "aws-partner-central.invitation") == 0


async def test_partner_users_see_no_referral_nor_its_opportunity(
        world, cosell_app_factory, as_opportunity, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, as_opportunity, world)
        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION}},
                                 token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
        opportunity_id = payload["invitation"]["opportunityId"]
        for token in ("alpha_user", "beta_user"):
            assert (await aws_gql(OPPORTUNITY, {"id": opportunity_id}, token=world.tokens[token]))["data"][
                "node"] is None
            body = await aws_gql(LIST, token=world.tokens[token], errors=True)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            body = await aws_gql(SYNC, {"id": opportunity_id}, token=world.tokens[token], errors=True)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_accepted_referral_is_followed_in_ace_with_a_task_for_action_required(
        world, cosell_app_factory, as_opportunity, drain_outbox):
    from partners.plans.tables import CoSellTask
    from server.background import background_jobs

    stub = as_opportunity
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, stub, world)
        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION}},
                                 token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
        _accepted_answer(stub)
        await drain_outbox(client)
        stub.add_response("get_opportunity", {
            "Id": "O7654321", "Catalog": "Sandbox", "LastModifiedDate": NOW, "CreatedDate": NOW,
            "RelatedEntityIdentifiers": {}, "LifeCycle": {"ReviewStatus": "Action Required", "Stage": "Prospect",
                                                          "ReviewComments": "Add the use case."}},
            {"Catalog": "Sandbox", "Identifier": "O7654321"})
        jobs = {job.name: job for job in background_jobs(client.app.state.settings, client.app.state.plugins)}
        assert await jobs["aws-partner-central:review-status"].run(lambda: False) == 1
        stub.assert_no_pending_responses()
        seen = (await aws_gql(SYNC, {"id": payload["invitation"]["opportunityId"]}, token=world.tokens["admin"]))[
            "data"]["awsOpportunitySync"]
        assert (seen["reviewStatus"], seen["reviewComments"]) == ("Action Required", "Add the use case.")
        assert [t["title"] for t in await CoSellTask.select(CoSellTask.title)] == [
            "AWS review: action required — Add the use case."], "on the plan with AWS, whatever its motion"


async def test_a_malformed_owner_id_is_refused_and_nothing_is_made(world, cosell_app_factory, as_opportunity):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await _imported(client, as_opportunity, world)
        payload = (await aws_gql(ACCEPT_AS, {"input": {"invitationId": INVITATION,
                                                       "ownerId": gid("Partner", world.partners["alpha"])}},
                                 token=world.tokens["sales_ops"]))["data"]["acceptAwsInvitation"]
        assert payload["errors"] == [{"code": "INVALID_ID", "field": ["ownerId"], "rule": None}]
        assert await Opportunity.count() == 0
        assert (await AwsInvitation.select(AwsInvitation.status).first())["status"] == "PENDING"
