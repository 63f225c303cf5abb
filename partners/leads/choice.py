"""Which partner a lead goes to when the channel manager does not name one (P11): the
`cosell_lead_partner` hook (firstresult) chooses among the AUTHORIZED partners serving
the lead's region (P1); the built-in `plugins.builtin.lead_partner` (trylast) makes the
database choice (`database_choice`)."""

from __future__ import annotations

from dataclasses import dataclass

from partners.leads.enums import LeadStatus
from partners.leads.tables import Lead
from partners.people.enums import PartnerStatus, PartnerTrack, Region
from partners.people.tables import Partner, PartnerCountryServed, PartnerRegionServed


@dataclass(frozen=True)
class LeadCandidate:
    partner_id: int
    name: str
    track: PartnerTrack
    # A `Region` like the locator's (issue 41); a str enum, so it still equals "AMER" etc.
    region: Region
    country: str
    serves_country: bool  # its own country or one it serves is the lead's
    open_leads: int  # leads shared with it now and not yet converted or disqualified


@dataclass(frozen=True)
class PartnerChoice:
    partner_id: int
    reason: str = ""


OPEN = [s.value for s in (LeadStatus.SHARED, LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.MEETING)]


async def load_candidates(lead: dict) -> list[LeadCandidate]:
    """AUTHORIZED partners based in or serving the lead's region, in id order."""
    region, country = lead["region"], lead["country"]
    serving = PartnerRegionServed.select(PartnerRegionServed.partner).where(PartnerRegionServed.value == region)
    rows = await Partner.select(Partner.id, Partner.name, Partner.track, Partner.region, Partner.country).where(
        (Partner.status == PartnerStatus.AUTHORIZED.value) & ((Partner.region == region) | Partner.id.is_in(serving))
    ).order_by(Partner.id)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    countries = {row["partner"] for row in await PartnerCountryServed.select(PartnerCountryServed.partner).where(
        (PartnerCountryServed.value == country) & PartnerCountryServed.partner.is_in(ids))}
    counts = {row["partner"]: row["n"] for row in await Lead.raw(
        'SELECT partner, COUNT(*) AS n FROM "lead" WHERE '
        " partner IS NOT NULL AND status IN ("
        + ", ".join(f"'{s}'" for s in OPEN) + ") GROUP BY partner")}
    return [LeadCandidate(partner_id=row["id"], name=row["name"], track=PartnerTrack(row["track"]),
                          region=Region(row["region"]), country=row["country"],
                          serves_country=row["country"] == country or row["id"] in countries,
                          open_leads=counts.get(row["id"], 0)) for row in rows]


def database_choice(lead: dict, candidates: list[LeadCandidate]) -> PartnerChoice | None:
    """The default: a partner serving the lead's country first, SELECT tracks first (P1),
    then the one with the fewest open leads, then the oldest."""
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (not c.serves_country, c.track is PartnerTrack.OPEN, c.open_leads,
                                          c.partner_id))
    where = "serves the lead's country" if best.serves_country else "serves the lead's region"
    return PartnerChoice(best.partner_id, f"{where}; {best.track.value}; {best.open_leads} open leads")


