"""The default choice of the partner a lead is shared with (P11): the database choice,
`trylast`, so a plugin (e.g. one that knows the territories) may choose first."""

from __future__ import annotations

from partners.leads.choice import LeadCandidate, PartnerChoice, database_choice
from plugins import hookimpl


@hookimpl(trylast=True)
def cosell_lead_partner(lead: dict, candidates: list[LeadCandidate]) -> PartnerChoice | None:
    return database_choice(lead, candidates)
