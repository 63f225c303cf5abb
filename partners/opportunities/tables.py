"""Tables of opportunities, their contacts, stage history, partner team (R) and holdover
extensions (A10)."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.accounts.tables import Account, Contact
from partners.opportunities.enums import (
    ContactRole,
    HoldoverExtensionStatus,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
    SalesQualifiedSource,
)
from partners.money.columns import ExactDecimal
from partners.people.tables import Partner, User


class Opportunity(Table, tablename="opportunity"):
    """A deal on an end customer's account (R1). Stage moves only through partners.opportunities.service."""

    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=255, index=True)
    opportunity_type = Varchar(length=32, choices=OpportunityType, default=OpportunityType.NEW_BUSINESS)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O8
    stage = Varchar(length=32, choices=OpportunityStage, default=OpportunityStage.PENDING_ACCEPTANCE, index=True)
    # Amount, net ARR and initial IACV are exact, in `currency` (ISO 4217; issue 40).
    currency = Varchar(length=3, default="USD")
    amount = ExactDecimal(null=True, default=None)
    net_arr = ExactDecimal(null=True, default=None)
    close_date = Date(null=True, default=None)
    owner = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    sdr = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    sales_qualified_source = Varchar(length=32, choices=SalesQualifiedSource, default=SalesQualifiedSource.OTHER)
    sales_accepted_at = Timestamptz(null=True, default=None)  # O3
    sales_qualified = Boolean(default=False)  # O4
    sales_qualified_at = Timestamptz(null=True, default=None)
    initial_iacv = ExactDecimal(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # O7 reopening window
    loss_reason = Varchar(length=32, choices=LossReason, null=True, default=None)
    competitor = Varchar(length=200, default="")
    merged_into = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O7
    duplicate_of = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O6
    # A10: the owner keeps this open opportunity after an account transfer until then.
    owner_holdover_until = Timestamptz(null=True, default=None)
    # Why the primary partner (OpportunityPartner.is_primary) is primary (R8), from cosell_primary_partner.
    primary_reason = Varchar(length=200, default="")
    # Optimistic concurrency (issue 10): +1 per write that changes the opportunity, its
    # team or its contacts (partners.infra.versions); clients send it back as expectedVersion.
    version = Integer(default=1)
    created_at = Timestamptz()


class OpportunityContact(Table, tablename="opportunity_contact"):
    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.cascade)
    role = Varchar(length=32, choices=ContactRole, default=ContactRole.OTHER)
    is_primary = Boolean(default=False)


class OpportunityStageChange(Table, tablename="opportunity_stage_change"):
    """The stage history of an opportunity (O1–O7), one row per move."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    from_stage = Varchar(length=32, choices=OpportunityStage, null=True, default=None)
    to_stage = Varchar(length=32, choices=OpportunityStage)
    changed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    note = Varchar(length=500, default="")
    changed_at = Timestamptz()


class OpportunityPartner(Table, tablename="opportunity_partner"):
    """A partner on an opportunity's team (R5), once per opportunity; written only by
    partners.opportunities.team (R6–R8 through the plugins)."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=32, choices=OpportunityPartnerRole)
    is_primary = Boolean(default=False)
    # Who made this partner primary explicitly (setPrimaryPartner, isPrimary); "" = not chosen.
    primary_chosen_by = Varchar(length=254, default="")
    created_at = Timestamptz()


class HoldoverExtension(Table, tablename="holdover_extension"):
    """A10: the owner of a held-over opportunity asks, by day 120, to keep it past day 180,
    with evidence of close within 90 days; ADMIN or SALES_OPS approve or refuse."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    requested_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    expected_close_date = Date()
    note = Text()
    status = Varchar(length=16, choices=HoldoverExtensionStatus, default=HoldoverExtensionStatus.PENDING)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    # Set on approval: the opportunity's new owner_holdover_until.
    extended_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
