"""How opportunities follow what happens to their accounts (partners.infra.events)."""

from __future__ import annotations

from partners.accounts.events import AccountChannelChanged
from partners.infra.events import subscribe
from partners.opportunities import reseller
from partners.opportunities.tables import Opportunity


@subscribe(AccountChannelChanged)
async def revalidate_account_opportunities(event: AccountChannelChanged) -> None:
    """R1: an account's type or partner decides which resellers its opportunities may have, so
    the rule plugins check every opportunity of the account again."""
    opportunity_ids = [r["id"] for r in await Opportunity.select(Opportunity.id).where(
        Opportunity.account == event.account_id)]
    await reseller.validate_all(event.rules, event.principal, opportunity_ids, event.operation)
