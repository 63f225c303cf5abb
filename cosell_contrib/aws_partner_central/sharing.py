"""`shareWithAws`: who may share an opportunity with AWS and when (issue 39, D8), and the
sync row plus outbox message it writes in one transaction."""

from __future__ import annotations

from partners.infra import outbox
from partners.infra.db import transaction
from partners.infra.errors import DomainError, Violation
from partners.infra.leasing import utcnow
from partners.opportunities.tables import Opportunity
from partners.people.enums import PartnerType, Role
from partners.people.principal import Principal
from partners.people.tables import Partner
from partners.plans.enums import CoSellMotion
from partners.plans.tables import CoSellPlan
from cosell_contrib.aws_partner_central import SHARE_KIND, associations, mapping, plugin_settings
from cosell_contrib.aws_partner_central.associations import Wanted, defaults
from cosell_contrib.aws_partner_central.tables import AwsOpportunitySync

FIELD = ("opportunityId",)


async def aws_plan(opportunity_id: int, *, any_motion: bool = False) -> dict | None:
    """D8: the opportunity's co-sell plan with the cloud motion (services and support,
    which includes co-selling with cloud providers) whose partner is AWS (the
    CLOUD_ALLIANCE partner whose nickname is the `aws_partner` setting); `any_motion`: its
    plan with AWS whatever the motion (an accepted referral's on an unranked account)."""
    condition = (CoSellPlan.opportunity == opportunity_id) & CoSellPlan.partner.is_in(
        Partner.select(Partner.id).where((Partner.partner_type == PartnerType.CLOUD_ALLIANCE.value)
                                         & (Partner.nickname == plugin_settings["aws_partner"])))
    if not any_motion:
        condition = condition & (CoSellPlan.motion == CoSellMotion.SERVICES_AND_SUPPORT.value)
    return await CoSellPlan.select(CoSellPlan.id, CoSellPlan.goals).where(condition).first()


def require_sharer(principal: Principal, opportunity: dict) -> None:
    if principal.role is not Role.CHANNEL_MANAGER and opportunity["owner"] != principal.user_id:
        raise DomainError([Violation("NOT_ALLOWED_TO_SHARE",
                                     "Only a channel manager or the opportunity's owner shares it with AWS.",
                                     FIELD, "D8")])


async def share(principal: Principal, opportunity_id: int, wanted: list[Wanted] | None = None) -> dict:
    """Write the sync row, the associations (`wanted`, by default the configured solution)
    and enqueue the share; refusals are Violations citing D8."""
    async with transaction():
        opportunity = await Opportunity.select(Opportunity.id, Opportunity.owner, Opportunity.created_at).where(
            Opportunity.id == opportunity_id).first()
        require_sharer(principal, opportunity)
        if await aws_plan(opportunity_id) is None:
            raise DomainError([Violation(
                "NO_AWS_COSELL_PLAN",
                f"Share with AWS needs a co-sell plan with the services-and-support motion with "
                f"{plugin_settings['aws_partner']} (D8).", FIELD, "D8")])
        existing = await AwsOpportunitySync.select().where(AwsOpportunitySync.opportunity == opportunity_id).first()
        if existing is not None and existing["state"] != "FAILED":
            raise DomainError([Violation("ALREADY_SHARED", "This opportunity is shared with AWS already.",
                                         FIELD, "D8")])
        if existing is None or wanted is not None:
            await associations.replace(opportunity_id, defaults() if wanted is None else wanted)
        if existing is None:
            await AwsOpportunitySync.insert(AwsOpportunitySync(
                opportunity=opportunity_id, catalog=plugin_settings["catalog"], requested_by=principal.user_id,
                requested_at=utcnow())).run()
            again = ""
        else:  # a failed share asked again: resume where it stopped, in a new message
            again = f":again-{utcnow().isoformat()}"
            await AwsOpportunitySync.update({AwsOpportunitySync.state: "SHARE_REQUESTED",
                                             AwsOpportunitySync.last_error: ""}).where(
                AwsOpportunitySync.id == existing["id"])
        token = mapping.client_token({"id": opportunity_id, "created_at": opportunity["created_at"]})
        await outbox.enqueue(SHARE_KIND, {"opportunity_id": opportunity_id},
                             dedupe_key=f"{SHARE_KIND}:{token}{again}"[:200])
        return await AwsOpportunitySync.select().where(AwsOpportunitySync.opportunity == opportunity_id).first()


async def set_associations(principal: Principal, opportunity_id: int, wanted: list[Wanted]) -> dict:
    """`setAwsAssociations`: the shared opportunity's associations become `wanted`; the
    changes reach ACE after commit (associations.py)."""
    async with transaction():
        opportunity = await Opportunity.select(Opportunity.id, Opportunity.owner).where(
            Opportunity.id == opportunity_id).first()
        require_sharer(principal, opportunity)
        sync = await AwsOpportunitySync.select().where(AwsOpportunitySync.opportunity == opportunity_id).first()
        if sync is None:
            raise DomainError([Violation("NOT_SHARED", "Share the opportunity with AWS first (shareWithAws "
                                         "takes the associations too).", FIELD, "D8")])
        if await associations.replace(opportunity_id, wanted) and sync["engagement_task_id"] \
                and sync["state"] != "FAILED":
            # Before the submission the share's own delivery associates them (and a FAILED
            # share does when it is asked again).
            await associations.enqueue(opportunity_id)
        return sync
