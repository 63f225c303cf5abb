"""Outbound (issue 39): the outbox delivery of `shareWithAws` — CreateOpportunity (with a
ClientToken derived from our id), StartEngagementFromOpportunityTask (the submission to AWS),
AssociateOpportunity (the solutions, AWS products and Marketplace offers chosen, each once:
associations.py). Each step's outcome is committed before the next call,
so a retry resumes where the last attempt stopped; a crash between a call and its commit
repeats that call with the same ClientToken, and ACE answers with what it already did.

Errors (botocore ClientError codes): throttling and server errors raise, and the outbox
retries with backoff (DEAD after COSELL_OUTBOX_MAX_ATTEMPTS); ValidationException,
AccessDeniedException, ResourceNotFoundException and a ClientToken conflict cannot succeed
on retry: PermanentFailure, the message is DEAD at once. Every failure is kept in the
sync row's `last_error` (shown to staff by `awsOpportunitySync`).
"""

from __future__ import annotations

from typing import Any

from partners.accounts.tables import Account
from partners.infra.db import transaction
from partners.infra.leasing import utcnow
from partners.infra.outbox import Message, PermanentFailure
from partners.opportunities.tables import Opportunity
from partners.plans.tables import CoSellPlan
from cosell_contrib.aws_partner_central import associations, client as aws, mapping, plugin_settings
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync

# ClientError codes a retry cannot fix.
PERMANENT = frozenset({"ValidationException", "AccessDeniedException", "ResourceNotFoundException",
                       "ConflictException"})


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


async def _save(sync_id: int, **values: Any) -> None:
    async with transaction():
        await AwsOpportunitySync.update({getattr(AwsOpportunitySync, k): v for k, v in values.items()}).where(
            AwsOpportunitySync.id == sync_id)


async def _facts(opportunity_id: int) -> tuple[dict, dict, dict]:
    opportunity = await Opportunity.select().where(Opportunity.id == opportunity_id).first()
    if opportunity is None:
        raise PermanentFailure(f"opportunity {opportunity_id} no longer exists")
    account = await Account.select().where(Account.id == opportunity["account"]).first()
    plan = await CoSellPlan.select().where(CoSellPlan.opportunity == opportunity_id).order_by(CoSellPlan.id).first()
    return opportunity, account, plan or {}


async def deliver_share(message: Message) -> None:
    sync = await AwsOpportunitySync.select().where(
        AwsOpportunitySync.opportunity == message.payload["opportunity_id"]).first()
    if sync is None:
        raise PermanentFailure("no sync row for this opportunity")
    try:
        await _share(sync)
    except Exception as exc:  # noqa: BLE001 - recorded, then the outbox decides (retry or DEAD)
        code = error_code(exc)
        text = f"{code or type(exc).__name__}: {exc}"[:2000]
        permanent = isinstance(exc, PermanentFailure) or code in PERMANENT
        await _save(sync["id"], last_error=text, attempts=message.attempt,
                    **({"state": "FAILED"} if permanent else {}))
        if permanent and not isinstance(exc, PermanentFailure):
            raise PermanentFailure(text) from exc
        raise


async def _share(sync: dict) -> None:
    opportunity, account, plan = await _facts(sync["opportunity"])
    ace_id, state = sync["ace_id"], sync["state"]
    token = mapping.client_token(opportunity)
    if not ace_id:
        created = await aws.call("CreateOpportunity", **mapping.create_request(opportunity, account, plan))
        ace_id, state = created["Id"], "CREATED"
        await _save(sync["id"], ace_id=ace_id, state=state, last_modified=_stamp(created.get("LastModifiedDate")),
                    last_synced_at=utcnow(), last_error="")
    if state in ("CREATED", "SHARE_REQUESTED", "FAILED") and not sync["engagement_task_id"]:
        task = await aws.call("StartEngagementFromOpportunityTask", ClientToken=f"{token}-submit"[:255],
                              Identifier=ace_id,
                              AwsSubmission={"InvolvementType": plugin_settings["involvement"], "Visibility": "Full"})
        state = "SUBMITTED"
        await _save(sync["id"], state=state, engagement_task_id=task.get("TaskId", ""),
                    review_status="Submitted", last_synced_at=utcnow(), last_error="")
    if await associations.apply(sync["opportunity"], ace_id) or state != "ASSOCIATED":
        await _save(sync["id"], state="ASSOCIATED", last_synced_at=utcnow(), last_error="")


def _stamp(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else (value or "")
