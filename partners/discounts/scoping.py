"""Who sees the discount policy and reduction approvals (P8)."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.discounts.tables import DiscountApproval
from partners.opportunities.scoping import partner_opportunity_ids
from partners.people.principal import Principal
from partners.people.scoping import NOTHING


def discount_policy_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read the discount policy; partner users never (the percentages per track are
    not public: a partner sees its own quotes only)."""
    if principal is None or principal.is_partner_user:
        return NOTHING
    return None


def discount_approval_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every reduction approval (P8); a partner user reads its own partner's on
    the opportunities it may see (R9), so it can quote the reduced rate."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (DiscountApproval.partner == principal.partner_id) & DiscountApproval.opportunity.is_in(
            partner_opportunity_ids(principal.partner_id))
    return None
