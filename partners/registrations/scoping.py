"""Who sees which deal registrations."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.people.principal import Principal
from partners.people.scoping import NOTHING
from partners.registrations.tables import DealRegistration


def deal_registration_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every deal registration; a partner user reads only their own partner's (issue 5)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return DealRegistration.partner == principal.partner_id
    return None
