"""The default primary partner (R8), `trylast`: a plugin answering first replaces it.

1. A partner a user made primary explicitly (setPrimaryPartner / isPrimary) stays primary
   while on the team; if it is unofficial, R6 refuses the write.
2. Otherwise R8: the deal registrant, then the fulfiller (issues the PO), then the
   distributor; the earliest added wins within a role. Unofficial partners are skipped (R6).
3. R8 is silent when only RESELLER-role partners sell: the earliest authorized one is
   primary, so that R7 (exactly one primary) holds without a manual step.
"""

from __future__ import annotations

from typing import Sequence

from partners.opportunities.enums import OpportunityPartnerRole as TeamRole
from partners.opportunities.reseller import OpportunitySnapshot, PrimaryChoice, TeamPartner
from plugins import hookimpl

PRECEDENCE = (TeamRole.DEAL_REGISTRANT, TeamRole.FULFILLER, TeamRole.DISTRIBUTOR)
REASONS = {
    TeamRole.DEAL_REGISTRANT: "deal registrant (R8)",
    TeamRole.FULFILLER: "fulfiller (R8)",
    TeamRole.DISTRIBUTOR: "distributor (R8)",
    TeamRole.RESELLER: "authorized reseller (R7)",
}


def precedence(partners: Sequence[TeamPartner]) -> PrimaryChoice | None:
    """R8 over authorized partners (R6), in the order they were added."""
    authorized = [p for p in partners if p.authorized]
    for role in (*PRECEDENCE, TeamRole.RESELLER):
        for partner in authorized:
            if partner.role is role:
                return PrimaryChoice(partner, REASONS[role])
    return None


def explicit_choice(partners: Sequence[TeamPartner]) -> PrimaryChoice | None:
    chosen = next((p for p in partners if p.chosen_by), None)
    return PrimaryChoice(chosen, f"set by {chosen.chosen_by}") if chosen else None


@hookimpl(trylast=True)
def cosell_primary_partner(opportunity: OpportunitySnapshot, partners: list[TeamPartner]) -> PrimaryChoice | None:
    return explicit_choice(partners) or precedence(partners)
