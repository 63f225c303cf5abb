"""AWS Partner Central (ACE) co-selling (issue 39, D8): share opportunities with AWS through
the Partner Central Selling API. docs/aws-partner-central.md.

Off unless configured: registered (entry point `aws-partner-central`, or `extra_plugins`)
it does nothing until COSELL_PLUGIN_AWS_PARTNER_CENTRAL_CATALOG names a catalog; then it adds
its GraphQL fields (`awsOpportunitySync`, `shareWithAws`, `setAwsAssociations`, the referral
fields) and delivers its outbox kinds. boto3
(`pip install 'cosell[aws]'`) is imported only when the first call is made.
"""

from __future__ import annotations

from plugins import BackgroundJob, PluginSettings, Setting, hookimpl

SHARE_KIND = "aws-partner-central.share"
UPDATE_KIND = "aws-partner-central.update"
INVITATION_KIND = "aws-partner-central.invitation"
ASSOCIATIONS_KIND = "aws-partner-central.associations"

plugin_settings = PluginSettings(
    Setting("catalog", ("Sandbox", "AWS"), default=None,
            help="the Partner Central catalog to write to; unset: the plugin is off"),
    Setting("region", str, default="us-east-1", help="the API's region (Partner Central serves us-east-1)"),
    Setting("role_arn", str, default=None,
            check=lambda arn: arn.startswith("arn:") or "must be an IAM role ARN (arn:aws:iam::…:role/…)",
            help="a role to assume for every call; unset: the standard AWS credential chain"),
    Setting("aws_partner", str, default="AWS",
            help="nickname of the CLOUD_ALLIANCE partner that is AWS in cosell (D8: the plan's partner)"),
    Setting("solution_id", str, default=None,
            help="your Partner Central solution (S-…) associated with every shared opportunity"),
    Setting("poll_interval", int, default=900, check=lambda n: n >= 60 or "must be at least 60 seconds",
            help="seconds between two reads of a shared opportunity's review status"),
    Setting("referral_region", ("AMER", "EMEA", "APJ", "LATAM", "PUBSEC"), default="AMER",
            help="the region (D7) of the leads AWS referrals become"),
    Setting("involvement", ("Co-Sell", "For Visibility Only"), default="Co-Sell",
            help="AwsSubmission.InvolvementType of the submission"),
    Setting("referrals_as", ("lead", "opportunity"), default="lead",
            help="what an AWS referral becomes: a lead (P11) at once, or an opportunity when accepted"),
    Setting("endpoint_url", str, default=None,
            check=lambda url: url.startswith(("http://", "https://")) or "must be an http(s) URL",
            help="another endpoint for the API (tests, private endpoints); unset: AWS's own"),
    Setting("job_interval", int, default=60, check=lambda n: n >= 1 or "must be at least 1 second",
            help="seconds between two runs of the review-status job (each reads only the opportunities due)"),
)


def enabled() -> bool:
    try:
        return plugin_settings["catalog"] is not None
    except Exception:  # noqa: BLE001 - settings not loaded: the plugin is not registered
        return False


@hookimpl
def cosell_extend_schema():
    if not enabled():
        return None
    from cosell_contrib.aws_partner_central.graphql import additions

    return additions()


@hookimpl
def cosell_outbox_handlers():
    if not enabled():
        return None
    from cosell_contrib.aws_partner_central.associations import deliver_associations
    from cosell_contrib.aws_partner_central.outbound import deliver_share
    from cosell_contrib.aws_partner_central.referrals import deliver_answer
    from cosell_contrib.aws_partner_central.updates import deliver_update

    return {SHARE_KIND: deliver_share, UPDATE_KIND: deliver_update, INVITATION_KIND: deliver_answer,
            ASSOCIATIONS_KIND: deliver_associations}


@hookimpl
async def cosell_opportunity_event(event, opportunity, envelope):
    if not enabled():
        return None
    from cosell_contrib.aws_partner_central.updates import on_opportunity_event

    await on_opportunity_event(event, opportunity, envelope)
    return None


@hookimpl
def cosell_background_jobs():
    if not enabled():
        return None
    from partners.infra.leasing import new_worker_id
    from cosell_contrib.aws_partner_central.referrals import sync_invitations
    from cosell_contrib.aws_partner_central.status import poll

    worker = new_worker_id()

    async def run(should_stop):
        return await poll(worker, should_stop)

    return [BackgroundJob("review-status", run, interval=float(plugin_settings["job_interval"])),
            BackgroundJob("invitations", sync_invitations, interval=float(plugin_settings["poll_interval"]))]
