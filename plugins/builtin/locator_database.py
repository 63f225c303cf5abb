"""The default partner lookup: the directory in the database, for every region (D7, P1).

Registered `trylast`, so a region plugin that answers first wins. Matching, ordering (P1,
or distance), the total and the facets come from an in-memory index of the listed
partners (`locator_index`), brought up to date with the database before each search
(`locator_directory`: one statement when nothing changed). The page's rows and lists are
then read in one statement, whatever the page size.
"""

from __future__ import annotations

from partners.locator.search import DirectoryEntry, LocatorPage, LocatorQuery
from partners.people.enums import PartnerTrack, PartnerType, Region
from partners.people.tables import (
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)
from plugins import hookimpl
from plugins.builtin.locator_directory import directory

_COLUMNS = ("name", "nickname", "partner_type", "track", "is_psp", "region", "country", "city", "website",
            "latitude", "longitude", "approved_registrations", "delivered_engagements")
_LISTS = {
    "regions_served": PartnerRegionServed,
    "countries_served": PartnerCountryServed,
    "specializations": PartnerSpecialization,
    "certifications": PartnerCertification,
    "languages": PartnerLanguage,
}


@hookimpl(trylast=True)
def cosell_locate_partners(region: Region | None, query: LocatorQuery):
    return _locate(query)


def _in(values) -> str:
    return "(" + ", ".join("{}" for _ in values) + ")"


def page_sql(ids: list[int]) -> tuple[str, list[int]]:
    """The page's partner rows (kind `partner`) and every list value of theirs, in one statement."""
    padding = ", ".join(f"NULL AS {column}" for column in _COLUMNS)
    selects = [f"SELECT 'partner' AS kind, p.id AS partner, NULL AS value, "
               f"{', '.join('p.' + column for column in _COLUMNS)} FROM partner p WHERE p.id IN {_in(ids)}"]
    selects += [f"SELECT '{kind}', partner, value, {padding} FROM {table._meta.tablename} WHERE partner IN {_in(ids)}"
                for kind, table in _LISTS.items()]
    return " UNION ALL ".join(selects), ids * len(selects)


async def _locate(query: LocatorQuery) -> LocatorPage:
    source = directory()
    result = (await source.current()).search(query)
    entries: list[DirectoryEntry] = []
    if result.window:
        rows = await source.fetch(*page_sql([partner_id for partner_id, _ in result.window]))
        by_id = {row["partner"]: row for row in rows if row["kind"] == "partner"}
        lists: dict[tuple[str, int], list[str]] = {}
        for row in rows:
            if row["kind"] != "partner":
                lists.setdefault((row["kind"], row["partner"]), []).append(row["value"])
        # A partner deleted since the search is left out of the page.
        entries = [_entry(by_id[partner_id], lists, distance)
                   for partner_id, distance in result.window if partner_id in by_id]
    return LocatorPage(entries=tuple(entries), total=result.total, facets=result.facets, offset=query.offset)


def _entry(row: dict, lists: dict[tuple[str, int], list[str]], distance_km: float | None) -> DirectoryEntry:
    partner_id = row["partner"]

    def values(kind: str) -> tuple[str, ...]:
        return tuple(sorted(lists.get((kind, partner_id), ())))

    return DirectoryEntry(
        key=f"partner:{partner_id}",
        partner_id=partner_id,
        name=row["name"],
        nickname=row["nickname"],
        partner_type=PartnerType(row["partner_type"]),
        track=PartnerTrack(row["track"]),
        is_psp=bool(row["is_psp"]),
        region=Region(row["region"]),
        country=row["country"],
        city=row["city"],
        website=row["website"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        regions_served=tuple(Region(r) for r in values("regions_served")),
        countries_served=values("countries_served"),
        specializations=values("specializations"),
        certifications=values("certifications"),
        languages=values("languages"),
        approved_registrations=row["approved_registrations"],
        delivered_engagements=row["delivered_engagements"],
        distance_km=distance_km,
    )
