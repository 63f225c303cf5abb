"""A region lookup doing I/O: answers APJ with a coroutine, taking only `query`."""

from partners.locator.search import DirectoryEntry, matches
from partners.people.enums import PartnerTrack, PartnerType, Region
from plugins import hookimpl

ENTRIES = [
    DirectoryEntry(key="api:1", name="Osaka Remote IT", partner_type=PartnerType.RESELLER, track=PartnerTrack.OPEN,
                   region=Region.APJ, country="JP", regions_served=(Region.APJ,), countries_served=("JP",),
                   delivered_engagements=2),
    DirectoryEntry(key="api:2", name="Seoul Remote Select", partner_type=PartnerType.MSP, track=PartnerTrack.SELECT,
                   region=Region.APJ, country="KR", regions_served=(Region.APJ,), countries_served=("KR",)),
]


async def _fetch(query):
    return [entry for entry in ENTRIES if matches(entry, query)]


@hookimpl
def cosell_locate_partners(query):
    if query.region is not Region.APJ:
        return None
    return _fetch(query)
