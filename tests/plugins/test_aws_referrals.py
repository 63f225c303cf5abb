"""The AWS Partner Central plugin, inbound referrals (issue 39, P11): engagement invitations
become leads with AWS as origin; accepting or rejecting in cosell tells AWS after commit;
AWS's expiry is shown and enforced."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cosell_contrib.aws_partner_central.tables import AwsInvitation
from partners.infra.tables import OutboxMessage
from partners.leads.tables import Lead
from server.background import background_jobs
from tests.plugins.aws_setup import aws_app, stub_fixture  # noqa: F401 - the `stub` fixture

JOB = "aws-partner-central:invitations"
LIST = """query { awsInvitations { invitationId engagementTitle sender status expiresAt expired leadId
  rejectionReason aceOpportunityId lastError } }"""
ACCEPT = """mutation($input: AnswerAwsInvitationInput!) { acceptAwsInvitation(input: $input) {
  invitation { status } errors { code field rule } } }"""
REJECT = """mutation($input: AnswerAwsInvitationInput!) { rejectAwsInvitation(input: $input) {
  invitation { status rejectionReason } errors { code field rule } } }"""
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _summary(identifier: str, expires: datetime) -> dict:
    return {"Id": identifier, "Catalog": "Sandbox", "PayloadType": "OpportunityInvitation",
            "EngagementTitle": "Initech data lake", "Status": "PENDING", "InvitationDate": NOW - timedelta(days=1),
            "ExpirationDate": expires, "SenderCompanyName": "Amazon Web Services", "ParticipantType": "RECEIVER"}


def _invitation(identifier: str, expires: datetime, company: str = "Initech") -> dict:
    return {
        "Id": identifier, "Catalog": "Sandbox", "PayloadType": "OpportunityInvitation", "Status": "PENDING",
        "EngagementTitle": "Initech data lake", "EngagementId": "eng-1234567890abcd",
        "InvitationDate": NOW - timedelta(days=1), "ExpirationDate": expires,
        "SenderCompanyName": "Amazon Web Services", "InvitationMessage": "Customer asked for a partner.",
        "Payload": {"OpportunityInvitation": {
            "ReceiverResponsibilities": ["Co-Sell Facilitator"],
            "Customer": {"Industry": "Software and Internet", "CompanyName": company,
                         "WebsiteUrl": "https://initech.example", "CountryCode": "US"},
            "Project": {"BusinessProblem": "Consolidate the data warehouses.", "Title": "Data lake on AWS",
                        "TargetCompletionDate": "2027-06-30",
                        "ExpectedCustomerSpend": [{"Amount": "5000", "CurrencyCode": "USD",
                                                   "Frequency": "Monthly", "TargetCompany": "AWS"}]},
        }},
    }


def _expect_import(stub, *items: tuple[str, datetime]) -> None:
    stub.add_response("list_engagement_invitations",
                      {"EngagementInvitationSummaries": [_summary(i, e) for i, e in items]},
                      {"Catalog": "Sandbox", "ParticipantType": "RECEIVER", "Status": ["PENDING"],
                       "PayloadType": ["OpportunityInvitation", "LeadInvitation"], "MaxResults": 50})
    for identifier, expires in items:
        stub.add_response("get_engagement_invitation", _invitation(identifier, expires),
                          {"Catalog": "Sandbox", "Identifier": identifier})


async def _run_job(client):
    jobs = {job.name: job for job in background_jobs(client.app.state.settings, client.app.state.plugins)}
    return await jobs[JOB].run(lambda: False)


async def test_an_invitation_becomes_a_lead_and_accepting_it_starts_the_engagement(
        world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        _expect_import(stub, ("engi-0000000000001", NOW + timedelta(days=14)))
        assert await _run_job(client) == 1
        lead = await Lead.select(Lead.company, Lead.source, Lead.status, Lead.product_interest).first()
        assert lead == {"company": "Initech", "source": "aws-partner-central", "status": "NEW",
                        "product_interest": "Data lake on AWS"}
        listed = (await aws_gql(LIST, token=world.tokens["cm_amer"]))["data"]["awsInvitations"]
        assert [(i["invitationId"], i["status"], i["expired"]) for i in listed] == \
            [("engi-0000000000001", "PENDING", False)]
        assert listed[0]["leadId"] is not None and listed[0]["expiresAt"].startswith(
            (NOW + timedelta(days=14)).date().isoformat())

        stub.add_response("list_engagement_invitations", {"EngagementInvitationSummaries": [
            _summary("engi-0000000000001", NOW + timedelta(days=14))]})
        assert await _run_job(client) == 0, "imported once"

        payload = (await aws_gql(ACCEPT, {"input": {"invitationId": "engi-0000000000001"}},
                                 token=world.tokens["cm_amer"]))["data"]["acceptAwsInvitation"]
        assert payload == {"invitation": {"status": "ACCEPTING"}, "errors": []}
        stub.add_response("start_engagement_by_accepting_invitation_task",
                          {"TaskId": "task-accept-000001", "TaskStatus": "IN_PROGRESS", "OpportunityId": "O7654321",
                           "EngagementInvitationId": "engi-0000000000001"},
                          {"Catalog": "Sandbox", "Identifier": "engi-0000000000001",
                           "ClientToken": "cosell-accept-engi-0000000000001"})
        assert (await drain_outbox(client)).sent == 2, "the lead's CREATED event and the answer"
        stub.assert_no_pending_responses()
        listed = (await aws_gql(LIST, token=world.tokens["admin"]))["data"]["awsInvitations"]
        assert (listed[0]["status"], listed[0]["aceOpportunityId"]) == ("ACCEPTED", "O7654321")


async def test_rejecting_needs_a_reason_and_sends_it(world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        _expect_import(stub, ("engi-0000000000002", NOW + timedelta(days=14)))
        await _run_job(client)
        refused = (await aws_gql(REJECT, {"input": {"invitationId": "engi-0000000000002"}},
                                 token=world.tokens["cm_amer"]))["data"]["rejectAwsInvitation"]
        assert refused["errors"] == [{"code": "REASON_REQUIRED", "field": ["reason"], "rule": "P11"}]
        payload = (await aws_gql(REJECT, {"input": {"invitationId": "engi-0000000000002",
                                                    "reason": "No capacity in that region"}},
                                 token=world.tokens["cm_amer"]))["data"]["rejectAwsInvitation"]
        assert payload == {"invitation": {"status": "REJECTING", "rejectionReason": "No capacity in that region"},
                           "errors": []}
        stub.add_response("reject_engagement_invitation", {},
                          {"Catalog": "Sandbox", "Identifier": "engi-0000000000002",
                           "RejectionReason": "No capacity in that region"})
        assert (await drain_outbox(client)).sent == 2, "the lead's CREATED event and the answer"
        stub.assert_no_pending_responses()
        assert (await AwsInvitation.select(AwsInvitation.status).first())["status"] == "REJECTED"
        again = (await aws_gql(ACCEPT, {"input": {"invitationId": "engi-0000000000002"}},
                               token=world.tokens["cm_amer"]))["data"]["acceptAwsInvitation"]
        assert [e["code"] for e in again["errors"]] == ["INVITATION_ANSWERED"]


async def test_an_expired_invitation_is_shown_and_cannot_be_answered(world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        _expect_import(stub, ("engi-0000000000003", NOW - timedelta(hours=1)),
                       ("engi-0000000000004", NOW + timedelta(days=1)))
        assert await _run_job(client) == 2
        # The second one expires while it waits for an answer.
        await AwsInvitation.update({AwsInvitation.expires_at: NOW - timedelta(minutes=1)}).where(
            AwsInvitation.invitation_id == "engi-0000000000004")
        listed = (await aws_gql(LIST, token=world.tokens["admin"]))["data"]["awsInvitations"]
        assert {(i["invitationId"], i["status"], i["expired"]) for i in listed} == {
            ("engi-0000000000003", "EXPIRED", True), ("engi-0000000000004", "PENDING", True)}
        for identifier in ("engi-0000000000003", "engi-0000000000004"):
            payload = (await aws_gql(ACCEPT, {"input": {"invitationId": identifier}},
                                     token=world.tokens["cm_amer"]))["data"]["acceptAwsInvitation"]
            assert payload["errors"] == [{"code": "INVITATION_EXPIRED", "field": ["id"], "rule": "P11"}]
        assert await OutboxMessage.count().where(OutboxMessage.kind == "aws-partner-central.invitation") == 0
        statuses = await AwsInvitation.select(AwsInvitation.status).order_by(AwsInvitation.id)
        assert [s["status"] for s in statuses] == ["EXPIRED", "EXPIRED"]


async def test_partner_users_and_aes_may_not_answer(world, cosell_app_factory, stub):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        for token in ("alpha_user", "ae"):
            body = await aws_gql(ACCEPT, {"input": {"invitationId": "engi-0000000000001"}},
                                 token=world.tokens[token], errors=True)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await aws_gql(LIST, token=world.tokens["alpha_user"], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
