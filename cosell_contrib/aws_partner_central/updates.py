"""Later changes (issue 39): an opportunity event (`cosell_opportunity_event`: a stage move,
a new amount or close date) of a shared opportunity enqueues the plugin's own outbox kind,
whose delivery sends UpdateOpportunity with the LastModifiedDate ACE last answered (its
optimistic concurrency check). ConflictException (someone changed the ACE opportunity since,
in Partner Central or through another update) -> GetOpportunity for the current
LastModifiedDate, then the update once more; a second conflict retries the message with backoff.

The event hook only enqueues (a quick insert, within COSELL_PLUGIN_TIMEOUT_MS); the AWS call
runs in the plugin's outbox handler, which no hook timeout cuts off."""

from __future__ import annotations

from datetime import datetime

from partners.infra import outbox
from partners.infra.db import transaction
from partners.infra.leasing import utcnow
from partners.infra.outbox import Message, PermanentFailure
from cosell_contrib.aws_partner_central import UPDATE_KIND, client as aws, mapping
from cosell_contrib.aws_partner_central.outbound import PERMANENT, _facts, _save, _stamp, error_code
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync


async def on_opportunity_event(event: str, opportunity: dict, envelope) -> None:
    async with transaction():
        sync = await AwsOpportunitySync.select(AwsOpportunitySync.id).where(
            AwsOpportunitySync.opportunity == opportunity["id"]).first()
        if sync is None:
            return  # not shared with AWS
        await outbox.enqueue(UPDATE_KIND, {"opportunity_id": opportunity["id"], "event": event},
                             dedupe_key=f"{UPDATE_KIND}:{envelope.message_id}")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def deliver_update(message: Message) -> None:
    sync = await AwsOpportunitySync.select().where(
        AwsOpportunitySync.opportunity == message.payload["opportunity_id"]).first()
    if sync is None:
        raise PermanentFailure("no sync row for this opportunity")
    if not sync["ace_id"] or not sync["last_modified"]:
        # Not created in ACE yet: the share's CreateOpportunity reads the opportunity when it
        # runs; until it has, wait (retried with backoff).
        if sync["state"] == "FAILED":
            raise PermanentFailure("the share failed: share it again first")
        raise RuntimeError("the ACE opportunity is not created yet")
    opportunity, account, plan = await _facts(sync["opportunity"])
    last_modified = sync["last_modified"]
    try:
        try:
            answer = await aws.call("UpdateOpportunity", **mapping.update_request(
                opportunity, account, plan, sync["ace_id"], _when(last_modified)))
        except Exception as exc:
            if error_code(exc) != "ConflictException":
                raise
            current = await aws.call("GetOpportunity", Identifier=sync["ace_id"])
            last_modified = _stamp(current["LastModifiedDate"])
            answer = await aws.call("UpdateOpportunity", **mapping.update_request(
                opportunity, account, plan, sync["ace_id"], _when(last_modified)))
    except Exception as exc:  # noqa: BLE001 - recorded, then the outbox decides
        code = error_code(exc)
        text = f"{code or type(exc).__name__}: {exc}"[:2000]
        await _save(sync["id"], last_error=text)
        if code in PERMANENT - {"ConflictException"}:
            raise PermanentFailure(text) from exc
        raise
    await _save(sync["id"], last_modified=_stamp(answer.get("LastModifiedDate")) or last_modified,
                last_synced_at=utcnow(), last_error="")
