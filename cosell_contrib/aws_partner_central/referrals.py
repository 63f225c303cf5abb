"""Inbound referrals (issue 39, P11): AWS's engagement invitations become leads with AWS as
their origin (`source` = the plugin's name), or with REFERRALS_AS=opportunity, opportunities
when accepted (referral_opportunities.py); a channel manager accepts or rejects them in
cosell, and the outbox tells AWS (StartEngagementByAcceptingInvitationTask /
RejectEngagementInvitation with the reason). AWS's own expiry is shown and enforced: an
invitation past its ExpirationDate cannot be answered and is marked EXPIRED by the job."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Callable

from partners.infra import outbox
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, Violation
from partners.infra.leasing import utcnow
from partners.infra.outbox import Message, PermanentFailure
from partners.leads.service import NewLead, create_lead
from partners.opportunities.reseller import RuleSet
from partners.people.enums import Region
from partners.people.principal import Principal
from cosell_contrib.aws_partner_central import INVITATION_KIND, client as aws, plugin_settings
from cosell_contrib.aws_partner_central.outbound import PERMANENT, error_code
from cosell_contrib.aws_partner_central.referral_opportunities import accept_as_opportunity, details_of
from cosell_contrib.aws_partner_central.tables import AwsInvitation, AwsOpportunitySync

SOURCE = "aws-partner-central"
FIELD = ("id",)


def _aware(value):
    if value is None or not isinstance(value, datetime):
        return value
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def expired(row: dict, now: datetime | None = None) -> bool:
    return row["expires_at"] is not None and _aware(row["expires_at"]) <= (now or utcnow())


async def expire_due() -> int:
    rows = await AwsInvitation.update({AwsInvitation.status: "EXPIRED"}).where(
        (AwsInvitation.status == "PENDING") & (AwsInvitation.expires_at <= utcnow())).returning(AwsInvitation.id)
    return len(rows)


def _lead_of(invitation: dict) -> NewLead:
    payload = invitation.get("Payload") or {}
    body = payload.get("OpportunityInvitation") or payload.get("LeadInvitation") or {}
    customer = body.get("Customer") or {}
    project = body.get("Project") or {}
    notes = "\n".join(part for part in (
        f"AWS referral {invitation['Id']}: {invitation.get('EngagementTitle', '')}",
        project.get("Title", ""), project.get("BusinessProblem", ""), invitation.get("InvitationMessage", ""),
        f"Industry: {customer['Industry']}" if customer.get("Industry") else "") if part)
    return NewLead(company=customer.get("CompanyName") or invitation.get("EngagementTitle") or invitation["Id"],
                   region=Region(plugin_settings["referral_region"]), country=customer.get("CountryCode") or "US",
                   product_interest=(project.get("Title") or "")[:200], notes=notes, source=SOURCE)


async def _import(summary: dict) -> bool:
    """One new invitation -> its row (with the customer and project AWS sent) and, for a
    lead referral, its lead, in one transaction. The unique invitation id makes a second
    instance (or a second run) skip it."""
    if await AwsInvitation.exists().where(AwsInvitation.invitation_id == summary["Id"]):
        return False
    invitation = await aws.call("GetEngagementInvitation", Identifier=summary["Id"])
    becomes = plugin_settings["referrals_as"]
    async with transaction():
        inserted = await AwsInvitation.insert(AwsInvitation(
            invitation_id=invitation["Id"], catalog=plugin_settings["catalog"],
            engagement_title=(invitation.get("EngagementTitle") or "")[:255],
            payload_type=invitation.get("PayloadType", ""), sender=(invitation.get("SenderCompanyName") or "")[:255],
            status="EXPIRED" if _aware(invitation.get("ExpirationDate")) and
            _aware(invitation["ExpirationDate"]) <= utcnow() else "PENDING",
            invited_at=_aware(invitation.get("InvitationDate")), expires_at=_aware(invitation.get("ExpirationDate")),
            created_at=utcnow(), becomes=becomes, details=json.dumps(details_of(invitation)),
        )).on_conflict(action="DO NOTHING").returning(AwsInvitation.id)
        if not inserted or becomes == "opportunity":  # the opportunity is made when it is accepted
            return bool(inserted)
        lead = await create_lead(None, _lead_of(invitation))
        await AwsInvitation.update({AwsInvitation.lead: lead["id"]}).where(AwsInvitation.id == inserted[0]["id"])
    return True


async def sync_invitations(should_stop: Callable[[], bool] = lambda: False) -> int:
    """Import AWS's pending invitations (every page) and expire the overdue ones."""
    imported, token = 0, None
    while not should_stop():
        page = await aws.call("ListEngagementInvitations", ParticipantType="RECEIVER", Status=["PENDING"],
                              PayloadType=["OpportunityInvitation", "LeadInvitation"], MaxResults=50,
                              **({"NextToken": token} if token else {}))
        for summary in page.get("EngagementInvitationSummaries", []):
            imported += await _import(summary)
        token = page.get("NextToken")
        if not token:
            break
    await expire_due()
    return imported


async def decide(principal: Principal, row_id: int, accept: bool, reason: str = "", *, rules: RuleSet | None = None,
                 owner_id: int | None = None, account_id: int | None = None) -> dict:
    """Accept or reject an AWS referral; AWS hears it after commit (the outbox). Accepting
    one that becomes an opportunity makes it here (referral_opportunities.py; `owner_id`
    and `account_id` are the caller's choices for it)."""
    reason = reason.strip()
    if not accept and not reason:
        raise DomainError([Violation("REASON_REQUIRED", "Say why you reject AWS's referral (AWS shows it).",
                                     ("reason",), "P11")])
    # Past AWS's expiry: marked EXPIRED (committed) before the refusal, as the job would.
    await AwsInvitation.update({AwsInvitation.status: "EXPIRED"}).where(
        (AwsInvitation.id == row_id) & (AwsInvitation.status == "PENDING") & (AwsInvitation.expires_at <= utcnow()))
    async with transaction():
        row = await AwsInvitation.select().where(AwsInvitation.id == row_id).first()
        if row is None:
            raise NotFound.of("AWS invitation", "id")
        if row["status"] == "EXPIRED" or expired(row):
            raise _refusal("INVITATION_EXPIRED", f"AWS's invitation expired on {row['expires_at']:%Y-%m-%d %H:%M} UTC.")
        if row["status"] != "PENDING":
            raise _refusal("INVITATION_ANSWERED", f"This invitation is {row['status']} already.")
        if accept and row["becomes"] == "opportunity":
            opportunity_id = await accept_as_opportunity(principal, rules, row, owner_id=owner_id,
                                                         account_id=account_id)
            await AwsInvitation.update({AwsInvitation.opportunity: opportunity_id}).where(AwsInvitation.id == row_id)
        await AwsInvitation.update({
            AwsInvitation.status: "ACCEPTING" if accept else "REJECTING", AwsInvitation.rejection_reason: reason[:80],
            AwsInvitation.decided_by: principal.user_id, AwsInvitation.decided_at: utcnow(),
        }).where(AwsInvitation.id == row_id)
        await outbox.enqueue(INVITATION_KIND, {"invitation": row["invitation_id"], "accept": accept},
                             dedupe_key=f"{INVITATION_KIND}:{row['invitation_id']}")
        return await AwsInvitation.select().where(AwsInvitation.id == row_id).first()


def _refusal(code: str, message: str) -> DomainError:
    # The expiry is AWS's, enforced like the lead deadlines of P11.
    return DomainError([Violation(code, message, FIELD, "P11")])


async def deliver_answer(message: Message) -> None:
    invitation = message.payload["invitation"]
    where = AwsInvitation.invitation_id == invitation
    try:
        if message.payload["accept"]:
            task = await aws.call("StartEngagementByAcceptingInvitationTask", Identifier=invitation,
                                  ClientToken=f"cosell-accept-{invitation}"[:255])
            values = {AwsInvitation.status: "ACCEPTED", AwsInvitation.task_id: task.get("TaskId", ""),
                      AwsInvitation.ace_opportunity_id: task.get("OpportunityId", "")}
        else:
            row = await AwsInvitation.select(AwsInvitation.rejection_reason).where(where).first()
            await aws.call("RejectEngagementInvitation", Identifier=invitation,
                           RejectionReason=row["rejection_reason"])
            values = {AwsInvitation.status: "REJECTED"}
    except Exception as exc:  # noqa: BLE001 - recorded, then the outbox decides
        code = error_code(exc)
        text = f"{code or type(exc).__name__}: {exc}"[:2000]
        permanent = code in PERMANENT
        async with transaction():
            await AwsInvitation.update({AwsInvitation.last_error: text,
                                        **({AwsInvitation.status: "FAILED"} if permanent else {})}).where(where)
        if permanent:
            raise PermanentFailure(text) from exc
        raise
    async with transaction():
        await AwsInvitation.update({**values, AwsInvitation.last_error: ""}).where(where)
        if message.payload["accept"]:
            await _follow_accepted(invitation)


async def _follow_accepted(invitation: str) -> None:
    """An accepted referral that became an opportunity: its ACE opportunity (AWS's) is
    followed like a shared one (status job, later changes, associations), once."""
    row = await AwsInvitation.select().where(AwsInvitation.invitation_id == invitation).first()
    if row["opportunity"] is None or not row["ace_opportunity_id"]:
        return
    await AwsOpportunitySync.insert(AwsOpportunitySync(
        opportunity=row["opportunity"], catalog=row["catalog"], state="ACCEPTED_REFERRAL",
        ace_id=row["ace_opportunity_id"], engagement_task_id=row["task_id"] or row["invitation_id"],
        requested_by=row["decided_by"], requested_at=utcnow())).on_conflict(action="DO NOTHING").run()
