"""Example region lookup: serve one region's partner locator from a JSON file (D7).

Not registered by default. Register this module as a plugin (an entry point in group
`cosell` of your own package, or `extra_plugins` in tests) and the locator answers
queries for LATAM from `data/latam_directory.json`; every other region, and queries
without a region, fall through to the next lookup (the database). Block it with
COSELL_DISABLE_PLUGINS=<its name> and LATAM falls back to the database as well.

To serve another region or file, register `RegionFileDirectory(region, path)` instead.

File format: {"region": "LATAM", "partners": [{"key", "name", "type", "track", "status",
"published", "country", "city", "latitude", "longitude", "regionsServed",
"countriesServed", "specializations", "certifications", "languages",
"approvedRegistrations", "deliveredEngagements", "nickname", "website", "isPsp"}]}.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from partners.locator.search import DirectoryEntry, LocatorQuery, matches
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from plugins import hookimpl

DATA_FILE = Path(__file__).resolve().parent / "data" / "latam_directory.json"


class RegionFileDirectory:
    """Answers the locator for `region` from a JSON directory file, read once."""

    def __init__(self, region: Region, path: Path) -> None:
        self.region = region
        self.path = path

    @cached_property
    def entries(self) -> tuple[DirectoryEntry, ...]:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if Region(data["region"]) is not self.region:
            raise ValueError(f"{self.path} holds the {data['region']} directory, not {self.region.value}")
        return tuple(
            _entry(item, self.region)
            for item in data["partners"]
            # P1: only authorized, published partners are listed.
            if item.get("status") == PartnerStatus.AUTHORIZED.value and item.get("published", True)
        )

    @hookimpl
    def cosell_locate_partners(self, region: Region | None, query: LocatorQuery) -> list[DirectoryEntry] | None:
        if region is not self.region:
            return None
        return [entry for entry in self.entries if matches(entry, query)]


def _entry(item: dict, home: Region) -> DirectoryEntry:
    region = Region(item.get("region", home.value))
    country = item["country"]
    return DirectoryEntry(
        key=f"file:{item['key']}",
        name=item["name"],
        nickname=item.get("nickname", ""),
        partner_type=PartnerType(item["type"]),
        track=PartnerTrack(item["track"]),
        is_psp=bool(item.get("isPsp", False)),
        region=region,
        country=country,
        city=item.get("city", ""),
        website=item.get("website", ""),
        latitude=item.get("latitude"),
        longitude=item.get("longitude"),
        # A directory lists the home region and country among those served.
        regions_served=tuple(dict.fromkeys([region, *map(Region, item.get("regionsServed", []))])),
        countries_served=tuple(dict.fromkeys([country, *item.get("countriesServed", [])])),
        specializations=tuple(s.lower() for s in item.get("specializations", [])),
        certifications=tuple(c.lower() for c in item.get("certifications", [])),
        languages=tuple(lang.lower() for lang in item.get("languages", [])),
        approved_registrations=int(item.get("approvedRegistrations", 0)),
        delivered_engagements=int(item.get("deliveredEngagements", 0)),
    )


latam_directory = RegionFileDirectory(Region.LATAM, DATA_FILE)


@hookimpl
def cosell_locate_partners(region: Region | None, query: LocatorQuery) -> list[DirectoryEntry] | None:
    return latam_directory.cosell_locate_partners(region, query)
