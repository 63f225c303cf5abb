"""Who sees which opportunities and their children (R9)."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.opportunities.enums import OpportunityPartnerRole
from partners.opportunities.tables import HoldoverExtension, Opportunity, OpportunityPartner
from partners.people.principal import Principal
from partners.people.scoping import NOTHING

# R9: the team roles that let a partner user see an opportunity.
PARTNER_VISIBLE_ROLES = (OpportunityPartnerRole.RESELLER, OpportunityPartnerRole.DEAL_REGISTRANT)


def partner_opportunity_ids(partner_id: int | None):
    """Sub-select of the opportunities a partner is on as reseller or deal registrant (R9)."""
    return OpportunityPartner.select(OpportunityPartner.opportunity).where(
        (OpportunityPartner.partner == partner_id)
        & OpportunityPartner.role.is_in([r.value for r in PARTNER_VISIBLE_ROLES])
    )


def opportunity_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every opportunity; a partner user reads only those their partner is on
    with the role Reseller or as deal registrant (R9)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return Opportunity.id.is_in(partner_opportunity_ids(principal.partner_id))
    return None


def opportunity_child_scope(principal: Principal | None, opportunity_column) -> Where | WhereRaw | None:
    """For rows hanging off an opportunity (stage history, team): the opportunity must be visible."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return opportunity_column.is_in(partner_opportunity_ids(principal.partner_id))
    return None


def holdover_extension_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A10 extension requests: seen by whoever sees their opportunity (R9 for partner users)."""
    return opportunity_child_scope(principal, HoldoverExtension.opportunity)


def opportunity_partner_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A partner user sees only their own partner's place on the teams of the opportunities
    they may see (never which other partners are on the deal)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (OpportunityPartner.partner == principal.partner_id) & OpportunityPartner.opportunity.is_in(
            partner_opportunity_ids(principal.partner_id)
        )
    return None
