"""Every vocabulary of the domain under one stable import path.

Each enum lives with its domain (`partners/<domain>/enums.py`); this module re-exports them so that
plugins (docs/plugins.md) and the GraphQL layer import `partners.enums` as they always have. Nothing
inside partners/ imports it (an import-linter contract in pyproject.toml).
"""

from partners.accounts.enums import AccountType, AddressSource, Ranking, ScreeningStatus, Segment
from partners.cases.enums import CaseStatus
from partners.discounts.enums import DiscountBasis, DiscountLineKind, PurchaseRoute
from partners.infra.tables import OutboxStatus
from partners.leads.enums import LeadAction, LeadRecallReason, LeadStatus
from partners.opportunities.enums import (
    ContactRole,
    HoldoverExtensionStatus,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
    SalesQualifiedSource,
)
from partners.people.enums import PARTNER_ROLES, PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.plans.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus
from partners.program.enums import PartnerChangeKind, TrainingCourse
from partners.registrations.enums import DealRegistrationStatus, DealRegistrationType

__all__ = [
    "AccountType",
    "AddressSource",
    "CaseStatus",
    "CoSellMotion",
    "CoSellTaskSide",
    "CoSellTaskStatus",
    "ContactRole",
    "DealRegistrationStatus",
    "DealRegistrationType",
    "DiscountBasis",
    "DiscountLineKind",
    "HoldoverExtensionStatus",
    "LeadAction",
    "LeadRecallReason",
    "LeadStatus",
    "LossReason",
    "OpportunityPartnerRole",
    "OpportunityStage",
    "OpportunityType",
    "OutboxStatus",
    "PARTNER_ROLES",
    "PartnerChangeKind",
    "PartnerStatus",
    "PartnerTrack",
    "PartnerType",
    "PurchaseRoute",
    "Ranking",
    "Region",
    "Role",
    "SalesQualifiedSource",
    "ScreeningStatus",
    "Segment",
    "TrainingCourse",
]
