"""The default partner lookup: the directory in the database, for every region (D7, P1).

Registered `trylast`, so a region plugin that answers first wins. Statements per call do
not depend on the page size: the page, the facets, and every list of the page's partners
in one UNION ALL (with `near`: the bounding-box candidates, the page rows, the lists).

Ordering and filters are portable SQL (no trigonometry: SQLite may lack it); the exact
distance is computed in Python over the candidates of an indexable latitude/longitude box.
"""

from __future__ import annotations

from typing import Any

from partners.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.locator import (
    DirectoryEntry,
    Facets,
    LocatorPage,
    LocatorQuery,
    bounding_box,
    facets_of,
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
# P1: SELECT tracks first, then most delivered engagements, then name; id breaks ties.
_ORDER = (
    f"CASE WHEN p.track = '{PartnerTrack.OPEN.value}' THEN 1 ELSE 0 END, "
    "p.delivered_engagements DESC, p.name, p.id"
)
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


def page_sql(query: LocatorQuery) -> tuple[str, list[Any]]:
    where = locator_where(query)
    sql = f"SELECT {_COLUMNS} FROM partner p WHERE {where.sql()} ORDER BY {_ORDER} LIMIT {{}} OFFSET {{}}"
    return sql, [*where.args, query.limit, query.offset]


def facets_sql(query: LocatorQuery) -> tuple[str, list[Any]]:
    where = locator_where(query)
    sql = (
        "SELECT p.track, p.partner_type, p.country, COUNT(*) AS n FROM partner p "
        f"WHERE {where.sql()} GROUP BY p.track, p.partner_type, p.country"
    )
    return sql, where.args


def candidates_sql(query: LocatorQuery) -> tuple[str, list[Any]]:
    where = locator_where(query)
    sql = (
        "SELECT p.id, p.name, p.track, p.partner_type, p.country, p.latitude, p.longitude, "
        f"p.delivered_engagements FROM partner p WHERE {where.sql()}"
    )
    return sql, where.args


async def _locate(query: LocatorQuery) -> LocatorPage:
    if query.near is not None:
        return await _locate_near(query)
    rows: list[dict] = []
    if query.limit:
        sql, args = page_sql(query)
        rows = await Partner.raw(sql, *args)
    sql, args = facets_sql(query)
    groups = await Partner.raw(sql, *args)
    entries = await _entries(rows)
    return LocatorPage(entries=tuple(entries), total=sum(g["n"] for g in groups), facets=_facets(groups),
                       offset=query.offset)


async def _locate_near(query: LocatorQuery) -> LocatorPage:
    near = query.near
    assert near is not None
    sql, args = candidates_sql(query)
    found = []
    for row in await Partner.raw(sql, *args):
        distance = haversine_km(near.latitude, near.longitude, row["latitude"], row["longitude"])
        if distance <= near.radius_km:
            found.append((distance, row))
    found.sort(key=lambda item: (item[0], track_rank(item[1]["track"]), -item[1]["delivered_engagements"],
                                 item[1]["name"], item[1]["id"]))
    window = found[query.offset : query.offset + query.limit]
    rows = []
    if window:
        ids = [row["id"] for _, row in window]
        by_id = {row["id"]: row for row in await Partner.raw(
            f"SELECT {_COLUMNS} FROM partner p WHERE p.id IN {_in(ids)}", *ids)}
        rows = [{**by_id[row["id"]], "distance_km": distance} for distance, row in window]
    facets = facets_of(
        DirectoryEntry(key="", name="", partner_type=PartnerType(row["partner_type"]),
                       track=PartnerTrack(row["track"]), region=Region.AMER, country=row["country"])
        for _, row in found
    )
    return LocatorPage(entries=tuple(await _entries(rows)), total=len(found), facets=facets, offset=query.offset)


def _facets(groups: list[dict]) -> Facets:
    tracks: dict = {}
    types: dict = {}
    countries: dict = {}
    for group in groups:
        track, ptype = PartnerTrack(group["track"]), PartnerType(group["partner_type"])
        tracks[track] = tracks.get(track, 0) + group["n"]
        types[ptype] = types.get(ptype, 0) + group["n"]
        countries[group["country"]] = countries.get(group["country"], 0) + group["n"]
    return Facets(tracks=tracks, types=types, countries=countries)


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
