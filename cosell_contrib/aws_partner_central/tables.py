"""The plugin's own table: where each opportunity shared with AWS Partner Central stands
(issue 39). Listed in `partners.infra.piccolo_app.TABLE_MODULES` by name; migrations
2026-12-07T19:00, 19:01 and 20:00."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.leads.tables import Lead
from partners.opportunities.tables import Opportunity
from partners.people.tables import User


class AwsOpportunitySync(Table, tablename="aws_opportunity_sync"):
    """One row per opportunity shared with AWS (`opportunity` is unique)."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, unique=True)
    catalog = Varchar(length=16)  # Sandbox | AWS
    # What the sync has done: SHARE_REQUESTED -> CREATED -> SUBMITTED -> ASSOCIATED; FAILED
    # when the outbox gave up (last_error says why).
    state = Varchar(length=24, default="SHARE_REQUESTED")
    ace_id = Varchar(length=64, default="")  # the ACE opportunity id, O-...
    review_status = Varchar(length=32, default="")  # AWS LifeCycle.ReviewStatus
    review_comments = Text(default="")
    aws_stage = Varchar(length=32, default="")  # AWS LifeCycle.Stage
    engagement_task_id = Varchar(length=64, default="")
    # AWS's LastModifiedDate (ISO 8601), sent back with UpdateOpportunity (its concurrency check).
    last_modified = Varchar(length=40, default="")
    last_synced_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    attempts = Integer(default=0)
    requested_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz()
    # The status job (status.py) leases rows (partners.infra.leasing) and polls each again then.
    leased_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=64, null=True, default=None)
    next_poll_at = Timestamptz(null=True, default=None, index=True)


class AwsReviewHistory(Table, tablename="aws_review_history"):
    """What AWS reported, one row per change of review status, comments or stage (issue 39)."""

    sync = ForeignKey(references=AwsOpportunitySync, on_delete=OnDelete.cascade, index=True)
    review_status = Varchar(length=32, default="")
    review_comments = Text(default="")
    aws_stage = Varchar(length=32, default="")
    reported_at = Timestamptz()


class AwsAssociation(Table, tablename="aws_association"):
    """A solution, AWS product or Marketplace offer to associate with an opportunity's ACE
    opportunity (AssociateOpportunity), once per (opportunity, type, identifier): a unique
    index in migration 20:00. Each is committed after its own call, so a retry repeats none
    that is done."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    entity_type = Varchar(length=32)  # ACE RelatedEntityType: Solutions, AwsProducts, AwsMarketplaceOffers
    identifier = Varchar(length=255)
    association_key = Varchar(length=320, unique=True)  # "<opportunity>:<type>:<identifier>"
    # PENDING (to associate) -> ASSOCIATED; an ASSOCIATED one removed: REMOVING, deleted once
    # DisassociateOpportunity answered.
    state = Varchar(length=16, default="PENDING")
    last_error = Text(default="")
    updated_at = Timestamptz()


class AwsInvitation(Table, tablename="aws_invitation"):
    """An AWS referral (an engagement invitation) and the lead or opportunity it became
    (P11, issue 39)."""

    invitation_id = Varchar(length=64, unique=True)  # engi-…
    catalog = Varchar(length=16)
    engagement_title = Varchar(length=255, default="")
    payload_type = Varchar(length=32, default="")
    sender = Varchar(length=255, default="")
    # PENDING -> ACCEPTING -> ACCEPTED, PENDING -> REJECTING -> REJECTED, PENDING -> EXPIRED;
    # FAILED when AWS refused the answer (last_error).
    status = Varchar(length=16, default="PENDING")
    invited_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    lead = ForeignKey(references=Lead, null=True, on_delete=OnDelete.set_null)
    rejection_reason = Varchar(length=80, default="")
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    task_id = Varchar(length=64, default="")
    ace_opportunity_id = Varchar(length=64, default="")
    last_error = Text(default="")
    created_at = Timestamptz()
    # `referrals_as` when it was imported: "lead" (`lead` set at once) or "opportunity"
    # (`opportunity` set when accepted, from `details`: the invitation's customer and project).
    becomes = Varchar(length=16, default="lead")
    details = Text(default="")  # JSON
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.set_null)
