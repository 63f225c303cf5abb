"""How deal registrations follow what happens below them (partners.infra.events)."""

from __future__ import annotations

from partners.infra.events import subscribe
from partners.opportunities.events import OpportunityClosedLost
from partners.program.events import PartnerDenied
from partners.registrations.expire import close_for_denied_partner, close_for_lost_opportunity


@subscribe(OpportunityClosedLost)
async def close_with_lost_opportunity(event: OpportunityClosedLost) -> None:
    """P6: an opportunity closed lost closes its live registrations."""
    await close_for_lost_opportunity(event.principal, event.rules, event.opportunity_id, event.at)


@subscribe(PartnerDenied)
async def end_with_denied_partner(event: PartnerDenied) -> None:
    """P1 (P5, P6): a denied partner keeps no live registration."""
    await close_for_denied_partner(event.principal, event.rules, event.partner_id, event.reason, event.at)
