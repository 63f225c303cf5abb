"""The plugin's GraphQL fields for AWS referrals (issue 39): `awsInvitations` (staff) and
`acceptAwsInvitation` / `rejectAwsInvitation` (channel managers, sales ops, admins). The lead
an invitation became is `leadId`, a `Lead` id for `node(id:)` (with REFERRALS_AS=opportunity,
`opportunityId` once accepted) (plugins add no field to
cosell's types and return no `relay.Node` of their own)."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.relay import from_base64, to_base64

from schema.plugin_api import (
    STAFF, DomainError, Info, Role, UserError, Violation, access, call_domain, require_principal, roles,
)
from cosell_contrib.aws_partner_central.referrals import decide, expired
from cosell_contrib.aws_partner_central.tables import AwsInvitation

DECIDERS = roles(Role.CHANNEL_MANAGER, Role.SALES_OPS, Role.ADMIN)


@strawberry.type
class AwsReferralCustomer:
    company_name: str
    website: str
    country: str
    industry: str
    project_title: str
    business_problem: str
    expected_monthly_spend: str | None
    currency: str
    target_completion_date: str


@strawberry.type(name="AwsInvitation", description="An AWS referral (engagement invitation) and its lead (P11).")
class AwsInvitationType:
    invitation_id: str = strawberry.field(description="AWS's id (engi-…)")
    engagement_title: str
    sender: str
    status: str = strawberry.field(
        description="PENDING, ACCEPTING, ACCEPTED, REJECTING, REJECTED, EXPIRED or FAILED (see lastError)")
    invited_at: datetime | None
    expires_at: datetime | None = strawberry.field(description="AWS's expiry: no answer after it.")
    expired: bool
    lead_id: strawberry.ID | None = strawberry.field(description="The lead it became (a `Lead` id for `node`).")
    rejection_reason: str | None
    ace_opportunity_id: str | None
    last_error: str | None
    becomes: str = strawberry.field(description="LEAD or OPPORTUNITY (REFERRALS_AS when it was imported)")
    opportunity_id: strawberry.ID | None = strawberry.field(
        description="The opportunity it became once accepted (an `Opportunity` id for `node`).")
    customer: AwsReferralCustomer | None = strawberry.field(description="The customer and project AWS sent.")


def _customer(details: str) -> AwsReferralCustomer | None:
    if not details:
        return None
    facts = json.loads(details)
    return AwsReferralCustomer(
        company_name=facts["company"], website=facts["website"], country=facts["country"],
        industry=facts["industry"], project_title=facts["title"], business_problem=facts["problem"],
        expected_monthly_spend=facts["monthly_spend"], currency=facts["currency"],
        target_completion_date=facts["target_date"])


def to_type(row: dict) -> AwsInvitationType:
    return AwsInvitationType(
        becomes=row["becomes"].upper(), customer=_customer(row["details"]),
        opportunity_id=to_base64("Opportunity", row["opportunity"]) if row["opportunity"] else None,
        invitation_id=row["invitation_id"], engagement_title=row["engagement_title"], sender=row["sender"],
        status=row["status"], invited_at=row["invited_at"], expires_at=row["expires_at"],
        expired=row["status"] == "EXPIRED" or (row["status"] == "PENDING" and expired(row)),
        lead_id=to_base64("Lead", row["lead"]) if row["lead"] else None,
        rejection_reason=row["rejection_reason"] or None, ace_opportunity_id=row["ace_opportunity_id"] or None,
        last_error=row["last_error"] or None)


@strawberry.type
class AwsReferralQuery:
    @strawberry.field(description="AWS referrals, newest first (staff).", extensions=[access(STAFF)])
    async def aws_invitations(self, info: Info, status: str | None = None, first: int = 50) -> list[AwsInvitationType]:
        query = AwsInvitation.select().order_by(AwsInvitation.id, ascending=False).limit(max(1, min(first, 200)))
        if status is not None:
            query = query.where(AwsInvitation.status == status)
        return [to_type(row) for row in await query]


@strawberry.input
class AnswerAwsInvitationInput:
    invitation_id: str
    reason: str | None = None
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Accepting as an opportunity: its owner (a `User` id); default: the account's "
                                  "owner, else you.")
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Accepting as an opportunity: its account (an `Account` id); default: the "
                                  "account D1's matching finds, else a new one.")


def _row_id(value: strawberry.ID | None, type_name: str, field: str) -> int | None:
    if value is None:
        return None
    try:
        kind, key = from_base64(value)
        if kind == type_name:
            return int(key)
    except Exception:  # noqa: BLE001 - any undecodable id is refused below
        pass
    raise DomainError([Violation("INVALID_ID", f"Not a {type_name} id.", (field,))])


@strawberry.type
class AnswerAwsInvitationPayload:
    invitation: AwsInvitationType | None
    errors: list[UserError]


async def _answer(info: Info, input: AnswerAwsInvitationInput, accept: bool) -> AnswerAwsInvitationPayload:
    caller = require_principal(info)

    async def write():
        row = await AwsInvitation.select(AwsInvitation.id).where(
            AwsInvitation.invitation_id == input.invitation_id).first()
        return await decide(caller, row["id"] if row else -1, accept, input.reason or "", rules=info.context.rules,
                            owner_id=_row_id(input.owner_id, "User", "ownerId"),
                            account_id=_row_id(input.account_id, "Account", "accountId"))

    row, errors = await call_domain(write())
    return AnswerAwsInvitationPayload(invitation=to_type(row) if row else None, errors=errors)


@strawberry.type
class AwsReferralMutation:
    @strawberry.mutation(description="Accept AWS's referral: AWS starts the engagement (after commit).",
                         extensions=[access(DECIDERS)])
    async def accept_aws_invitation(self, info: Info, input: AnswerAwsInvitationInput) -> AnswerAwsInvitationPayload:
        return await _answer(info, input, True)

    @strawberry.mutation(description="Reject AWS's referral with a reason AWS shows (after commit).",
                         extensions=[access(DECIDERS)])
    async def reject_aws_invitation(self, info: Info, input: AnswerAwsInvitationInput) -> AnswerAwsInvitationPayload:
        return await _answer(info, input, False)
