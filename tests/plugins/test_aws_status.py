"""The AWS Partner Central plugin, status back (issue 39): the leased background job reads
GetOpportunity and maps AWS's review status and stage onto the sync, its history and the
co-sell plan (a task for "Action Required")."""

from __future__ import annotations

import pytest

from cosell_contrib.aws_partner_central.status import REVIEW_STATUSES
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync, AwsReviewHistory
from partners.plans.tables import CoSellTask
from server.background import background_jobs
from tests.plugins.aws_setup import MODIFIED, SYNC, aws_app, shared_with_aws, stub_fixture  # noqa: F401 - the `stub` fixture

JOB = "aws-partner-central:review-status"


def _job(client):
    jobs = {job.name: job for job in background_jobs(client.app.state.settings, client.app.state.plugins)}
    return jobs[JOB]


def _opportunity(status: str, stage: str, comments: str = "") -> dict:
    life = {"ReviewStatus": status, "Stage": stage}
    if comments:
        life["ReviewComments"] = comments
    return {"Id": "O1234567", "Catalog": "Sandbox", "LastModifiedDate": MODIFIED, "CreatedDate": MODIFIED,
            "RelatedEntityIdentifiers": {}, "LifeCycle": life}


@pytest.mark.parametrize("status", sorted(REVIEW_STATUSES))
async def test_hook_cosell_background_jobs_maps_every_review_status(
        gql, world, cosell_app_factory, stub, drain_outbox, status):
    comments = "Add the customer's industry and a use case." if status in ("Action Required", "Rejected") else ""
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        stub.add_response("get_opportunity", _opportunity(status, "Qualified", comments),
                          {"Catalog": "Sandbox", "Identifier": "O1234567"})
        assert await _job(client).run(lambda: False) == 1
        stub.assert_no_pending_responses()
        seen = (await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["cm_amer"]))["data"]["awsOpportunitySync"]
        assert (seen["reviewStatus"], seen["awsStage"], seen["reviewComments"]) == (status, "Qualified",
                                                                                     comments or None)
        history = await AwsReviewHistory.select(AwsReviewHistory.review_status, AwsReviewHistory.aws_stage)
        assert history == [{"review_status": status, "aws_stage": "Qualified"}]
        tasks = await CoSellTask.select(CoSellTask.title, CoSellTask.owner_side, CoSellTask.notes)
        if status == "Action Required":
            assert tasks == [{"title": f"AWS review: action required — {comments}", "owner_side": "VENDOR",
                              "notes": comments}]
        else:
            assert tasks == []
        # Polled again only after the interval: a second run reads nothing.
        assert await _job(client).run(lambda: False) == 0


async def test_status_changes_are_kept_as_history_and_one_task_per_action_required(
        gql, world, cosell_app_factory, stub, drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        for status, stage in (("In review", "Qualified"), ("Action Required", "Qualified"),
                              ("Action Required", "Qualified"), ("Approved", "Technical Validation")):
            stub.add_response("get_opportunity", _opportunity(status, stage, "Fix the use case"
                                                              if status == "Action Required" else ""))
            await AwsOpportunitySync.update({AwsOpportunitySync.next_poll_at: None}, force=True)
            assert await _job(client).run(lambda: False) == 1
        history = await AwsReviewHistory.select(AwsReviewHistory.review_status).order_by(AwsReviewHistory.id)
        assert [h["review_status"] for h in history] == ["In review", "Action Required", "Approved"]
        assert await CoSellTask.count() == 1


async def test_a_failed_read_is_kept_for_staff_and_read_again_later(gql, world, cosell_app_factory, stub,
                                                                   drain_outbox):
    async with aws_app(cosell_app_factory) as (client, aws_gql):
        opportunity = await shared_with_aws(gql, world, stub, drain_outbox, client, aws_gql)
        stub.add_client_error("get_opportunity", "ResourceNotFoundException", "Opportunity O1234567 not found",
                              http_status_code=404)
        assert await _job(client).run(lambda: False) == 0
        seen = (await aws_gql(SYNC, {"id": opportunity}, token=world.tokens["admin"]))["data"]["awsOpportunitySync"]
        assert seen["lastError"].startswith("ResourceNotFoundException")
        assert (await AwsOpportunitySync.select().first())["lease_owner"] is None, "lease released"
