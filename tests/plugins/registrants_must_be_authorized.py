"""A third-party rule (ACME1): only an authorized partner may be the deal registrant."""

from partners.infra.errors import Violation
from partners.opportunities.enums import OpportunityPartnerRole
from plugins import hookimpl


@hookimpl
def cosell_validate_opportunity(opportunity, context):
    if not context.enabled("ACME1"):
        return []
    return [
        Violation("UNAUTHORIZED_REGISTRANT", f"{p.name} is not authorized to register deals.", ("partnerId",), "ACME1")
        for p in opportunity.partners
        if p.role is OpportunityPartnerRole.DEAL_REGISTRANT and not p.authorized
    ]
