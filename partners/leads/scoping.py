"""Who reads which lead (P11): staff every lead; a partner user only the leads shared with
their partner now (a rejected or recalled lead leaves its partner's view)."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.leads.tables import Lead, LeadEvent, LeadExtension
from partners.people.principal import Principal
from partners.people.scoping import NOTHING


def lead_scope(principal: Principal | None) -> Where | WhereRaw | None:
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return Lead.partner == principal.partner_id
    return None


def lead_event_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A partner user reads the history of its own share of a lead it sees, never what
    happened with another partner."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (LeadEvent.partner == principal.partner_id) & LeadEvent.lead.is_in(
            Lead.select(Lead.id).where(Lead.partner == principal.partner_id))
    return None


def lead_extension_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """A partner user reads its own partner's requests for more time, on leads it sees."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (LeadExtension.partner == principal.partner_id) & LeadExtension.lead.is_in(
            Lead.select(Lead.id).where(Lead.partner == principal.partner_id))
    return None
