"""A third-party precedence replacing R8: the distributor, then the fulfiller, then the
registrant (authorized partners only); never answers None, so the built-in never runs."""

from partners.opportunities.enums import OpportunityPartnerRole as Role
from partners.opportunities.reseller import PrimaryChoice
from plugins import hookimpl


@hookimpl(tryfirst=True)
def cosell_primary_partner(opportunity, partners):
    for role in (Role.DISTRIBUTOR, Role.FULFILLER, Role.DEAL_REGISTRANT):
        for partner in partners:
            if partner.role is role and partner.authorized:
                return PrimaryChoice(partner, f"ACME: {role.value.lower()} first")
    return None
