"""Status back from AWS (issue 39): a leased background job (`cosell_background_jobs`). Every
instance runs it; each shared opportunity is claimed by one instance at a time
(`partners.infra.leasing`), read with GetOpportunity, and settled with its next poll time.

AWS's review status (LifeCycle.ReviewStatus) and stage are written onto the sync row
(`awsOpportunitySync`), each change is kept in `aws_review_history`, and "Action Required"
adds a vendor-side task to the opportunity's co-sell plan with AWS (D3), assigned to the
opportunity's owner, with AWS's comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from partners.infra.db import transaction
from partners.infra.leasing import claim, finish, utcnow
from partners.opportunities.tables import Opportunity
from partners.plans.enums import CoSellTaskSide, CoSellTaskStatus
from partners.plans.tables import CoSellTask
from cosell_contrib.aws_partner_central import client as aws, plugin_settings
from cosell_contrib.aws_partner_central.outbound import error_code
from cosell_contrib.aws_partner_central.sharing import aws_plan
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync, AwsReviewHistory

# ACE review statuses and what each means for the co-sell team (docs/aws-partner-central.md).
REVIEW_STATUSES = {
    "Pending Submission": "created in ACE, not submitted to AWS yet",
    "Submitted": "submitted; AWS has not started its review",
    "In review": "AWS is reviewing it",
    "Approved": "AWS accepted it: co-selling with AWS",
    "Rejected": "AWS declined it (see the comments)",
    "Action Required": "AWS needs changes: a task on the co-sell plan",
}
ACTION_REQUIRED = "Action Required"
TASK_DUE_DAYS = 5
BATCH = 20
LEASE = timedelta(minutes=5)


async def poll(worker: str, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Read AWS's view of every shared opportunity due for a poll; returns how many were read."""
    now = utcnow()
    # Submitted ones only (or accepted referrals): before that AWS has nothing to review, and
    # a read then would be overwritten by the submission's own "Submitted".
    due = (AwsOpportunitySync.ace_id != "") & (AwsOpportunitySync.engagement_task_id != "") & (
        AwsOpportunitySync.next_poll_at.is_null() | (AwsOpportunitySync.next_poll_at <= now))
    lease, rows = await claim(AwsOpportunitySync, due=due, worker=worker, limit=BATCH, lease_for=LEASE,
                              order_by=(AwsOpportunitySync.next_poll_at, AwsOpportunitySync.id))
    interval = timedelta(seconds=plugin_settings["poll_interval"])
    done = 0
    for row in rows:
        if should_stop():
            await finish(AwsOpportunitySync, row["id"], lease, {})
            continue
        try:
            answer = await aws.call("GetOpportunity", Identifier=row["ace_id"])
        except Exception as exc:  # noqa: BLE001 - kept for staff; polled again next time
            text = f"{error_code(exc) or type(exc).__name__}: {exc}"[:2000]
            await finish(AwsOpportunitySync, row["id"], lease, {AwsOpportunitySync.last_error: text,
                                                                AwsOpportunitySync.next_poll_at: utcnow() + interval})
            continue
        await _apply(row, answer, lease, utcnow() + interval)
        done += 1
    return done


async def _apply(row: dict, answer: dict, lease, next_poll) -> None:
    life = answer.get("LifeCycle") or {}
    status, stage = life.get("ReviewStatus", ""), life.get("Stage", "")
    comments = life.get("ReviewComments") or life.get("ReviewStatusReason") or ""
    modified = answer.get("LastModifiedDate")
    async with transaction():
        # Settled first: when another instance took the row over (our lease expired), nothing
        # of this read is written (no second history row, no second task).
        settled = await finish(AwsOpportunitySync, row["id"], lease, {
            AwsOpportunitySync.review_status: status, AwsOpportunitySync.review_comments: comments,
            AwsOpportunitySync.aws_stage: stage, AwsOpportunitySync.last_synced_at: utcnow(),
            AwsOpportunitySync.last_error: "", AwsOpportunitySync.next_poll_at: next_poll,
            **({AwsOpportunitySync.last_modified: modified.isoformat()} if hasattr(modified, "isoformat") else {}),
        })
        if not settled or (status, comments, stage) == (row["review_status"], row["review_comments"],
                                                        row["aws_stage"]):
            return
        at = utcnow()
        await AwsReviewHistory.insert(AwsReviewHistory(sync=row["id"], review_status=status,
                                                       review_comments=comments, aws_stage=stage,
                                                       reported_at=at)).run()
        if status == ACTION_REQUIRED and row["review_status"] != ACTION_REQUIRED:
            await _action_task(row["opportunity"], comments, at)


async def _action_task(opportunity_id: int, comments: str, at) -> None:
    """D3: a vendor-side task for the owner on the plan with AWS (no D4 confirmation: that is
    for partner users)."""
    plan = await aws_plan(opportunity_id, any_motion=True)
    if plan is None:
        return
    owner = (await Opportunity.select(Opportunity.owner).where(Opportunity.id == opportunity_id).first())["owner"]
    title = f"AWS review: action required — {comments}" if comments else "AWS review: action required"
    await CoSellTask.insert(CoSellTask(
        plan=plan["id"], title=title[:200], owner_side=CoSellTaskSide.VENDOR.value, assignee=owner,
        due_date=(at + timedelta(days=TASK_DUE_DAYS)).date(), status=CoSellTaskStatus.OPEN.value,
        notes=comments, created_at=at, updated_at=at)).run()
