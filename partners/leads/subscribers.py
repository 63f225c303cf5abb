"""How leads follow what happens below them (partners.infra.events)."""

from __future__ import annotations

from partners.infra.events import subscribe
from partners.leads.service import recall_for_denied_partner
from partners.program.events import PartnerDenied


@subscribe(PartnerDenied)
async def recall_from_denied_partner(event: PartnerDenied) -> None:
    """P11: leads go to AUTHORIZED partners only; a denied partner's held leads are recalled."""
    await recall_for_denied_partner(event.principal, event.partner_id)
