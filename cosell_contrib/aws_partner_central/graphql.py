"""The plugin's GraphQL fields (issue 39), added through `cosell_extend_schema` only while
the plugin is configured. Plugins add root fields only (docs/plugins.md), so what the issue
calls `Opportunity.aws` is the root query `awsOpportunitySync(opportunityId)`.

- `awsOpportunitySync(opportunityId)` (staff): where the opportunity stands in ACE, null when
  it was never shared or the caller may not see it.
- `shareWithAws(input: {opportunityId, associations})` and `setAwsAssociations` (a channel
  manager or the opportunity's owner, D8).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from partners.infra.tables import OutboxMessage
from schema.plugin_api import (
    STAFF, Info, NotFound, OpportunityNode, SchemaAdditions, UserError, access, call_domain, loader,
    opportunity_id_from, require_principal, visible_opportunity,
)
from cosell_contrib.aws_partner_central import SHARE_KIND
from cosell_contrib.aws_partner_central.graphql_associations import (
    AssociationInput, AssociationNode, load_associations, wanted,
)
from cosell_contrib.aws_partner_central.sharing import set_associations, share
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync


@strawberry.type(name="AwsOpportunitySync",
                 description="Where an opportunity shared with AWS Partner Central (ACE) stands (issue 39).")
class AwsSync:
    id: str = strawberry.field(description="aws-partner-central:<row id>")
    opportunity: OpportunityNode
    catalog: str = strawberry.field(description="Sandbox or AWS")
    state: str = strawberry.field(description="SHARE_REQUESTED, CREATED, SUBMITTED, ASSOCIATED or FAILED")
    ace_id: str | None = strawberry.field(description="The ACE opportunity id (O…), once created.")
    review_status: str | None = strawberry.field(
        description="AWS's review: Pending Submission, Submitted, In review, Approved, Rejected, Action Required")
    review_comments: str | None
    aws_stage: str | None
    last_synced_at: datetime | None
    last_error: str | None = strawberry.field(description="The last call's failure (staff), cleared by a success.")
    outbox_status: str | None = strawberry.field(
        description="The share's outbox message: PENDING (retrying), SENT, or DEAD (gave up: see lastError).")
    opportunity_row: strawberry.Private[int]

    @strawberry.field(description="The solutions, AWS products and Marketplace offers associated (or to be).")
    async def associations(self, info: Info) -> list[AssociationNode]:
        return await loader(info, load_associations).load(self.opportunity_row)


def _text(value: str) -> str | None:
    return value or None


async def _outbox_status(context, keys: list[int]) -> list[str | None]:
    """The latest share message of each opportunity, in one statement: their dedupe keys
    start with `<kind>:cosell-opportunity-<id>-` (sharing.py)."""
    condition = None
    for key in keys:
        like = OutboxMessage.dedupe_key.like(f"{SHARE_KIND}:cosell-opportunity-{int(key)}-%")
        condition = like if condition is None else condition | like
    rows = await OutboxMessage.select(OutboxMessage.dedupe_key, OutboxMessage.status).where(
        (OutboxMessage.kind == SHARE_KIND) & condition).order_by(OutboxMessage.id)
    latest: dict[int, str] = {}
    for row in rows:
        latest[int(row["dedupe_key"].split("cosell-opportunity-", 1)[1].split("-", 1)[0])] = row["status"]
    return [latest.get(key) for key in keys]


async def to_type(info: Info, row: dict, opportunity: OpportunityNode) -> AwsSync:
    return AwsSync(
        id=f"aws-partner-central:{row['id']}", opportunity=opportunity, catalog=row["catalog"], state=row["state"],
        ace_id=_text(row["ace_id"]), review_status=_text(row["review_status"]),
        review_comments=_text(row["review_comments"]), aws_stage=_text(row["aws_stage"]),
        last_synced_at=row["last_synced_at"], last_error=_text(row["last_error"]),
        outbox_status=await loader(info, _outbox_status).load(row["opportunity"]), opportunity_row=row["opportunity"],
    )


@strawberry.type
class AwsQuery:
    @strawberry.field(description="An opportunity's AWS Partner Central sync (staff); null when never shared.",
                      extensions=[access(STAFF)])
    async def aws_opportunity_sync(self, info: Info, opportunity_id: strawberry.ID) -> AwsSync | None:
        opportunity = await visible_opportunity(info, opportunity_id_from(info, opportunity_id))
        if opportunity is None:
            return None
        row = await AwsOpportunitySync.select().where(AwsOpportunitySync.opportunity == opportunity.id).first()
        return await to_type(info, row, opportunity) if row is not None else None


@strawberry.input
class ShareWithAwsInput:
    opportunity_id: strawberry.ID
    associations: list[AssociationInput] | None = strawberry.field(
        default=None, description="What to associate it with; null: the configured solution (SOLUTION_ID).")


@strawberry.input
class SetAwsAssociationsInput:
    opportunity_id: strawberry.ID
    associations: list[AssociationInput]


@strawberry.type
class ShareWithAwsPayload:
    sync: AwsSync | None
    errors: list[UserError]


@strawberry.type
class AwsMutation:
    @strawberry.mutation(description="Share an opportunity with AWS Partner Central (D8): created, submitted and "
                                     "associated after commit, through the outbox.", extensions=[access(STAFF)])
    async def share_with_aws(self, info: Info, input: ShareWithAwsInput) -> ShareWithAwsPayload:
        caller = require_principal(info)
        opportunity = await visible_opportunity(info, opportunity_id_from(info, input.opportunity_id))

        async def write():
            if opportunity is None:
                raise NotFound.of("Opportunity", "opportunityId")
            return await share(caller, opportunity.id, None if input.associations is None
                               else wanted(input.associations))

        row, errors = await call_domain(write())
        return ShareWithAwsPayload(sync=await to_type(info, row, opportunity) if row else None, errors=errors)

    @strawberry.mutation(description="Choose what a shared opportunity is associated with in ACE (D8): new ones "
                                     "are associated, removed ones disassociated, after commit.",
                         extensions=[access(STAFF)])
    async def set_aws_associations(self, info: Info, input: SetAwsAssociationsInput) -> ShareWithAwsPayload:
        caller = require_principal(info)
        opportunity = await visible_opportunity(info, opportunity_id_from(info, input.opportunity_id))

        async def write():
            if opportunity is None:
                raise NotFound.of("Opportunity", "opportunityId")
            return await set_associations(caller, opportunity.id, wanted(input.associations))

        row, errors = await call_domain(write())
        return ShareWithAwsPayload(sync=await to_type(info, row, opportunity) if row else None, errors=errors)


def additions() -> SchemaAdditions:
    from cosell_contrib.aws_partner_central.graphql_referrals import AwsReferralMutation, AwsReferralQuery

    return SchemaAdditions(queries=[AwsQuery, AwsReferralQuery], mutations=[AwsMutation, AwsReferralMutation])
