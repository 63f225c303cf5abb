"""The reseller rules' types (R1-R8) under their stable import path for plugins (docs/plugins.md).

They live in `partners.opportunities.reseller`; nothing inside partners/ imports this module.
"""

from partners.opportunities.reseller import (
    CHANNEL_ACCOUNT_TYPES,
    OpportunitySnapshot,
    PrimaryChoice,
    RuleSet,
    TeamContact,
    TeamPartner,
    ValidationContext,
)

__all__ = ["CHANNEL_ACCOUNT_TYPES", "OpportunitySnapshot", "PrimaryChoice", "RuleSet", "TeamContact", "TeamPartner",
           "ValidationContext"]
