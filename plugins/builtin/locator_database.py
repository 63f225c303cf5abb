"""The default partner lookup: the directory in the database, for every region (D7, P1).

Registered `trylast`, so a region plugin that answers first wins. Three statements per
call, whatever the page size: the matches (narrow rows), the page's partner rows, and
every list of the page's partners in one UNION ALL.

Filters are portable SQL on indexed columns; `near` adds an indexable latitude/longitude
box (no trigonometry: SQLite may lack it) and the exact distance is computed in Python.
Ordering (P1, or distance) and facets are computed in Python over the matches.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from partners.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.locator import (
    DirectoryEntry,
    Facets,
    LocatorPage,
    LocatorQuery,
    bounding_box,
    haversine_km,
    track_rank,
)
from partners.tables import (
    Partner,
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)
from plugins import hookimpl

_COLUMNS = (
    "p.id, p.name, p.nickname, p.partner_type, p.track, p.is_psp, p.region, p.country, p.city, "
    "p.website, p.latitude, p.longitude, p.approved_registrations, p.delivered_engagements"
)
_RANK = {track.value: track_rank(track) for track in PartnerTrack}
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


class _Where:
    """A WHERE clause built with Piccolo's `{}` placeholders and its arguments."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, *args: Any) -> None:
        self.parts.append(sql)
        self.args.extend(args)

    def sql(self) -> str:
        return " AND ".join(self.parts)


def _in(values) -> str:
    return "(" + ", ".join("{}" for _ in values) + ")"


def _served(table, value: str) -> tuple[str, str]:
    name = table._meta.tablename
    return f"p.id IN (SELECT partner FROM {name} WHERE value = {{}})", value


def locator_where(query: LocatorQuery) -> _Where:
    """The filters of `query` (without the distance) as SQL on `partner p`."""
    where = _Where()
    # P1: only authorized, published partners appear in the locator.
    where.add("p.status = {}", PartnerStatus.AUTHORIZED.value)
    where.add("p.published = {}", True)
    if query.types:
        where.add(f"p.partner_type IN {_in(query.types)}", *[t.value for t in query.types])
    if query.tracks:
        where.add(f"p.track IN {_in(query.tracks)}", *[t.value for t in query.tracks])
    if query.region is not None:
        where.add(*_served(PartnerRegionServed, query.region.value))
    if query.country is not None:
        where.add(*_served(PartnerCountryServed, query.country))
    if query.language is not None:
        where.add(*_served(PartnerLanguage, query.language))
    for specialization in query.specializations:
        where.add(*_served(PartnerSpecialization, specialization))
    if query.text is not None:
        pattern = "%" + query.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.add(
            "(LOWER(p.name) LIKE {} ESCAPE '\\' OR LOWER(p.nickname) LIKE {} ESCAPE '\\' "
            "OR LOWER(p.city) LIKE {} ESCAPE '\\')",
            pattern, pattern, pattern,
        )
    if query.near is not None:
        box = bounding_box(query.near)
        where.add("p.latitude BETWEEN {} AND {}", box.min_lat, box.max_lat)
        if box.lon_ranges:
            where.add(
                "(" + " OR ".join("p.longitude BETWEEN {} AND {}" for _ in box.lon_ranges) + ")",
                *[bound for lon_range in box.lon_ranges for bound in lon_range],
            )
        else:
            where.add("p.longitude IS NOT NULL")
    return where


def matches_sql(query: LocatorQuery) -> tuple[str, list[Any]]:
    """Every match, with just what ordering, distance and facets need."""
    where = locator_where(query)
    sql = (
        "SELECT p.id, p.name, p.track, p.partner_type, p.country, p.latitude, p.longitude, "
        f"p.delivered_engagements FROM partner p WHERE {where.sql()}"
    )
    return sql, where.args


async def _locate(query: LocatorQuery) -> LocatorPage:
    # One pass over the matches, then ordering, facets and the page in Python: one scan
    # instead of a sorted page query plus a GROUP BY, the same order on both engines
    # (no collation differences), and exact great-circle distances without SQL trig.
    near = query.near
    sql, args = matches_sql(query)
    found: list[tuple[float | None, dict]] = []
    for row in await Partner.raw(sql, *args):
        distance = None
        if near is not None:
            distance = haversine_km(near.latitude, near.longitude, row["latitude"], row["longitude"])
            if distance > near.radius_km:
                continue
        found.append((distance, row))
    found.sort(key=lambda item: (
        item[0] or 0.0, _RANK[item[1]["track"]], -item[1]["delivered_engagements"], item[1]["name"], item[1]["id"]
    ))
    window = found[query.offset : query.offset + query.limit]
    rows = []
    if window:
        ids = [row["id"] for _, row in window]
        by_id = {row["id"]: row for row in await Partner.raw(
            f"SELECT {_COLUMNS} FROM partner p WHERE p.id IN {_in(ids)}", *ids)}
        rows = [{**by_id[row["id"]], "distance_km": distance} for distance, row in window]
    return LocatorPage(entries=tuple(await _entries(rows)), total=len(found), facets=_facets(found),
                       offset=query.offset)


def _facets(found: list[tuple[float | None, dict]]) -> Facets:
    tracks: Counter = Counter()
    types: Counter = Counter()
    countries: Counter = Counter()
    for _, row in found:
        tracks[row["track"]] += 1
        types[row["partner_type"]] += 1
        countries[row["country"]] += 1
    return Facets(
        tracks={PartnerTrack(k): n for k, n in tracks.items()},
        types={PartnerType(k): n for k, n in types.items()},
        countries=dict(countries),
    )


async def _entries(rows: list[dict]) -> list[DirectoryEntry]:
    """Directory entries for partner rows, with all their lists loaded in one statement."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    union = " UNION ALL ".join(
        f"SELECT '{kind}' AS kind, partner, value FROM {table._meta.tablename} WHERE partner IN {_in(ids)}"
        for kind, table in _LISTS.items()
    )
    lists: dict[tuple[str, int], list[str]] = {}
    for item in await Partner.raw(union, *(ids * len(_LISTS))):
        lists.setdefault((item["kind"], item["partner"]), []).append(item["value"])

    def values(kind: str, partner_id: int) -> tuple[str, ...]:
        return tuple(sorted(lists.get((kind, partner_id), ())))

    return [
        DirectoryEntry(
            key=f"partner:{row['id']}",
            partner_id=row["id"],
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
            regions_served=tuple(Region(r) for r in values("regions_served", row["id"])),
            countries_served=values("countries_served", row["id"]),
            specializations=values("specializations", row["id"]),
            certifications=values("certifications", row["id"]),
            languages=values("languages", row["id"]),
            approved_registrations=row["approved_registrations"],
            delivered_engagements=row["delivered_engagements"],
            distance_km=row.get("distance_km"),
        )
        for row in rows
    ]
