"""Directory listings: what any signed-in user may see of a partner (D7).

A `PartnerListing` is not the `Partner` node: it carries the public directory fields only
(no status, agreement or training data), so it needs no per-partner scoping; the Partner
node stays scoped by `partners.people.scoping.partner_scope`.
"""

from __future__ import annotations

import strawberry
from strawberry import relay

from partners.infra.settings import Settings
from partners.locator.search import MAX_RADIUS_KM, DirectoryEntry, Facets, LocatorPage
from schema.core.access import STAFF, visible_to
from schema.core.connection import Edge, PageInfo, encode_cursor_payload, make_edge
from schema.core.enums import PartnerTrack, PartnerType, Region


def _offset_cursor(kind: str):
    return lambda offset: encode_cursor_payload(kind, [offset])


@strawberry.input(description="Search around a place (D7); results are ordered by distance.")
class NearInput:
    latitude: float = strawberry.field(description="Degrees, -90 to 90.")
    longitude: float = strawberry.field(description="Degrees, -180 to 180.")
    radius_km: float = strawberry.field(description=f"Greater than 0, at most {MAX_RADIUS_KM:g}.")


@strawberry.input(description="Partner locator filters (D7); all given filters must match.")
class PartnerLocatorInput:
    region: Region | None = strawberry.field(
        default=None, description="A region the partner serves; also picks that region's lookup."
    )
    country: str | None = strawberry.field(default=None, description="A country served (ISO 3166-1 alpha-2).")
    types: list[PartnerType] | None = strawberry.field(default=None, description="Any of these types.")
    tracks: list[PartnerTrack] | None = strawberry.field(default=None, description="Any of these tracks (P1).")
    specializations: list[str] | None = strawberry.field(
        default=None, description="Codes such as `kubernetes`; the partner holds all of them."
    )
    language: str | None = strawberry.field(default=None, description="A language served (ISO 639-1, e.g. `de`).")
    text: str | None = strawberry.field(default=None, description="Part of the name, nickname or city.")
    near: NearInput | None = None
    first: int | None = strawberry.field(default=None, description=(
        f"Page size, {Settings.default_page_size} by default, at most {Settings.max_page_size} (COSELL_MAX_PAGE_SIZE)."))
    after: str | None = None


@strawberry.type(description="A partner as the public directory shows it (D7).")
class PartnerListing:
    id: strawberry.ID = strawberry.field(description=(
        "Stable global id of this listing (the lookup and its key), for normalized client caches. "
        "The same partner listed by the same lookup always has the same id; `distanceKm` depends "
        "on the search."))
    key: str = strawberry.field(description="Unique within the lookup that listed it (`source`).")
    partner_id: relay.GlobalID | None = strawberry.field(
        description="The `Partner` node id when the partner is in this database. Staff only: partner users "
        "read null (a partner's record is not theirs to look up).",
        extensions=[visible_to(STAFF)],
    )
    name: str
    nickname: str
    partner_type: PartnerType = strawberry.field(name="type")
    track: PartnerTrack = strawberry.field(description="P1: SELECT tracks are listed first.")
    is_psp: bool = strawberry.field(description="Professional services partner designation (P1).")
    region: Region = strawberry.field(description="Region of the partner's headquarters.")
    country: str
    city: str
    website: str
    latitude: float | None
    longitude: float | None
    regions_served: list[Region]
    countries_served: list[str]
    specializations: list[str]
    certifications: list[str]
    languages: list[str]
    approved_registrations: int
    delivered_engagements: int
    distance_km: float | None = strawberry.field(description="From `near`, when given (great-circle).")

    @classmethod
    def from_entry(cls, entry: DirectoryEntry, source: str) -> "PartnerListing":
        return cls(
            id=strawberry.ID(str(relay.GlobalID("PartnerListing", f"{source}:{entry.key}"))),
            key=entry.key,
            partner_id=relay.GlobalID("Partner", str(entry.partner_id)) if entry.partner_id is not None else None,
            name=entry.name,
            nickname=entry.nickname,
            partner_type=PartnerType(entry.partner_type),
            track=PartnerTrack(entry.track),
            is_psp=entry.is_psp,
            region=Region(entry.region),
            country=entry.country,
            city=entry.city,
            website=entry.website,
            latitude=entry.latitude,
            longitude=entry.longitude,
            regions_served=[Region(r) for r in entry.regions_served],
            countries_served=list(entry.countries_served),
            specializations=list(entry.specializations),
            certifications=list(entry.certifications),
            languages=list(entry.languages),
            approved_registrations=entry.approved_registrations,
            delivered_engagements=entry.delivered_engagements,
            distance_km=round(entry.distance_km, 3) if entry.distance_km is not None else None,
        )


@strawberry.type
class TrackFacet:
    track: PartnerTrack
    count: int


@strawberry.type
class TypeFacet:
    partner_type: PartnerType = strawberry.field(name="type")
    count: int


@strawberry.type
class CountryFacet:
    country: str
    count: int


@strawberry.type(description="Counts over every match (all pages), most frequent first.")
class LocatorFacets:
    tracks: list[TrackFacet]
    types: list[TypeFacet]
    countries: list[CountryFacet]

    @classmethod
    def from_facets(cls, facets: Facets) -> "LocatorFacets":
        def ordered(counts: dict) -> list:
            return sorted(counts.items(), key=lambda item: (-item[1], str(getattr(item[0], "value", item[0]))))

        return cls(
            tracks=[TrackFacet(track=PartnerTrack(k), count=n) for k, n in ordered(facets.tracks)],
            types=[TypeFacet(partner_type=PartnerType(k), count=n) for k, n in ordered(facets.types)],
            countries=[CountryFacet(country=k, count=n) for k, n in ordered(facets.countries)],
        )


@strawberry.type(description="One page of the partner locator, with the total and facets of all matches.")
class PartnerLocatorConnection:
    edges: list[Edge[PartnerListing]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many partners match, across all pages.")
    facets: LocatorFacets
    source: str = strawberry.field(description="The lookup (plugin name) that answered (D7).")

    @strawberry.field(description="The listings of this page (a shortcut for edges { node }).")
    def nodes(self) -> list[PartnerListing]:
        return [edge.node for edge in self.edges]

    @classmethod
    def from_page(cls, page: LocatorPage, cursor_kind: str) -> "PartnerLocatorConnection":
        edges = [
            make_edge(PartnerListing.from_entry(entry, page.source), _offset_cursor(cursor_kind), page.offset + i)
            for i, entry in enumerate(page.entries)
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.offset > 0,
                start_cursor=edges[0].cursor_of() if edges else None,
                end_cursor=edges[-1].cursor_of() if edges else None,
            ),
            total_count=page.total,
            facets=LocatorFacets.from_facets(page.facets),
            source=page.source,
        )
