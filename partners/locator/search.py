"""The partner locator (D7, P1): the query, the directory entries, and the pure rules.

Who answers a query is decided by the `cosell_locate_partners` hook, one region at a
time (`locate`). A lookup (a plugin) receives a validated `LocatorQuery` and answers with
either

- a list of `DirectoryEntry` — every entry of its directory that matches the query
  (`matches()` applies the standard filters); the locator then orders, counts the facets
  and cuts the page (`page_from_entries`); fit for small directories (a file, an API);
- a `LocatorPage` — the page already ordered and cut at `query.offset`/`query.limit`, with
  the total and the facets of the whole match set (what the database lookup does);
- an awaitable of one of these (for lookups that do I/O);
- None, to let the next lookup answer (firstresult; the database lookup runs last).

Rules every lookup keeps: only AUTHORIZED, published partners are listed (P1); order is
SELECT tracks first, then delivered engagements (most first), then name — or distance
when `near` is given (`sort_key`).
"""

from __future__ import annotations

import inspect
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from partners.infra.errors import DomainError, Violation
from partners.people.enums import PartnerTrack, PartnerType, Region

log = logging.getLogger("cosell.locator")

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 2000.0
MAX_TEXT_LENGTH = 100
MAX_SPECIALIZATIONS = 10
HOOK_NAME = "cosell_locate_partners"

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
# The same shapes check a partner's directory profile when it is edited (partners.program.profile).
COUNTRY_CODE, LANGUAGE_CODE, SPECIALIZATION_CODE = _COUNTRY, _LANGUAGE, _CODE


@dataclass(frozen=True)
class Near:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True)
class LocatorQuery:
    """A validated locator query (build it with `build_query`).

    Filters combine with AND. `types`/`tracks` match any of the listed values;
    `specializations` must all be held; `region`, `country` and `language` match the
    regions, countries and languages a partner serves (a directory lists the partner's
    home region and country among those it serves); `text` matches name, nickname or
    city (case-insensitive substring). `offset`/`limit` select the page.
    """

    region: Region | None = None
    country: str | None = None
    types: tuple[PartnerType, ...] = ()
    tracks: tuple[PartnerTrack, ...] = ()
    specializations: tuple[str, ...] = ()
    language: str | None = None
    text: str | None = None
    near: Near | None = None
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class DirectoryEntry:
    """One partner as the public directory shows it.

    `key` is unique within the lookup that produced it (`partner:<id>` for the database);
    `partner_id` is the database id when there is one. `distance_km` is set by the locator
    when the query has `near`.
    """

    key: str
    name: str
    partner_type: PartnerType
    track: PartnerTrack
    region: Region
    country: str
    partner_id: int | None = None
    nickname: str = ""
    is_psp: bool = False
    city: str = ""
    website: str = ""
    latitude: float | None = None
    longitude: float | None = None
    regions_served: tuple[Region, ...] = ()
    countries_served: tuple[str, ...] = ()
    specializations: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    approved_registrations: int = 0
    delivered_engagements: int = 0
    distance_km: float | None = None


@dataclass(frozen=True)
class Facets:
    """Counts over the whole filtered set (not just the page)."""

    tracks: dict[PartnerTrack, int] = field(default_factory=dict)
    types: dict[PartnerType, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LocatorPage:
    """One page of results: `entries` in locator order, starting at `offset`."""

    entries: tuple[DirectoryEntry, ...]
    total: int
    facets: Facets
    offset: int = 0
    # Name of the plugin that answered (filled in by `locate`).
    source: str = ""

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.entries) < self.total


class LocatorUnavailable(RuntimeError):
    """No lookup answered, or one failed; the message names the region and plugin."""


# --- validation -----------------------------------------------------------------------


def build_query(
    *,
    region: Region | None = None,
    country: str | None = None,
    types: Iterable[PartnerType] | None = None,
    tracks: Iterable[PartnerTrack] | None = None,
    specializations: Iterable[str] | None = None,
    language: str | None = None,
    text: str | None = None,
    near: tuple[float, float, float] | None = None,
    offset: int = 0,
    limit: int = 20,
    max_limit: int = 100,
) -> LocatorQuery:
    """Normalise and validate locator input; refuse all bad fields at once (D7)."""
    problems: list[Violation] = []

    def bad(code: str, message: str, *path: str) -> None:
        problems.append(Violation(code=code, message=message, field=("input", *path), rule="D7"))

    if country is not None:
        country = country.strip().upper()
        if not _COUNTRY.match(country):
            bad("INVALID_COUNTRY", "`country` must be an ISO 3166-1 alpha-2 code such as DE.", "country")
    if language is not None:
        language = language.strip().lower()
        if not _LANGUAGE.match(language):
            bad("INVALID_LANGUAGE", "`language` must be an ISO 639-1 code such as de.", "language")
    specs = tuple(dict.fromkeys(s.strip().lower() for s in specializations or ()))
    if len(specs) > MAX_SPECIALIZATIONS:
        bad("TOO_MANY_SPECIALIZATIONS", f"At most {MAX_SPECIALIZATIONS} specializations.", "specializations")
    elif any(not _CODE.match(s) for s in specs):
        bad("INVALID_SPECIALIZATION", "Specializations are codes such as `kubernetes` or `cloud-migration`.",
            "specializations")
    if text is not None:
        text = text.strip() or None
        if text is not None and len(text) > MAX_TEXT_LENGTH:
            bad("TEXT_TOO_LONG", f"`text` is at most {MAX_TEXT_LENGTH} characters.", "text")
    near_value = None
    if near is not None:
        lat, lon, radius = near
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            bad("INVALID_LATITUDE", "`latitude` must be between -90 and 90.", "near", "latitude")
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            bad("INVALID_LONGITUDE", "`longitude` must be between -180 and 180.", "near", "longitude")
        if not (math.isfinite(radius) and 0 < radius <= MAX_RADIUS_KM):
            bad("INVALID_RADIUS", f"`radiusKm` must be greater than 0 and at most {MAX_RADIUS_KM:g}.",
                "near", "radiusKm")
        near_value = Near(lat, lon, radius)
    if not 0 <= limit <= max_limit:
        bad("INVALID_PAGE_SIZE", f"`first` must be between 0 and {max_limit}.", "first")
    if problems:
        raise DomainError(problems)
    return LocatorQuery(
        region=region,
        country=country,
        types=tuple(dict.fromkeys(types or ())),
        tracks=tuple(dict.fromkeys(tracks or ())),
        specializations=specs,
        language=language,
        text=text,
        near=near_value,
        offset=offset,
        limit=limit,
    )


# --- geometry -------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class BoundingBox:
    """A latitude band and one or two longitude ranges that contain the whole circle.

    The box is a superset: callers filter the candidates by `haversine_km` afterwards.
    """

    min_lat: float
    max_lat: float
    lon_ranges: tuple[tuple[float, float], ...]  # empty = every longitude


def bounding_box(near: Near) -> BoundingBox:
    dlat = math.degrees(near.radius_km / EARTH_RADIUS_KM)
    min_lat, max_lat = near.latitude - dlat, near.latitude + dlat
    if min_lat <= -90 or max_lat >= 90:
        # The circle contains a pole: every longitude is in reach.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), ())
    # Widest longitude span of the circle (at the latitude where it touches its tangent).
    ratio = math.sin(near.radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(near.latitude))
    if ratio >= 1:
        return BoundingBox(min_lat, max_lat, ())
    dlon = math.degrees(math.asin(ratio))
    west, east = near.longitude - dlon, near.longitude + dlon
    if west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(min_lat, max_lat, ranges)


# --- filtering, ordering, facets, pages -----------------------------------------------


def matches(entry: DirectoryEntry, query: LocatorQuery) -> bool:
    """The standard filters, for lookups that answer from memory (see the module doc)."""
    if query.region is not None and query.region not in entry.regions_served:
        return False
    if query.country is not None and query.country not in entry.countries_served:
        return False
    if query.types and entry.partner_type not in query.types:
        return False
    if query.tracks and entry.track not in query.tracks:
        return False
    if query.specializations and not set(query.specializations) <= set(entry.specializations):
        return False
    if query.language is not None and query.language not in entry.languages:
        return False
    if query.text is not None:
        needle = query.text.casefold()
        if not any(needle in value.casefold() for value in (entry.name, entry.nickname, entry.city)):
            return False
    if query.near is not None:
        distance = distance_to(entry, query.near)
        if distance is None or distance > query.near.radius_km:
            return False
    return True


def distance_to(entry: DirectoryEntry, near: Near) -> float | None:
    if entry.latitude is None or entry.longitude is None:
        return None
    return haversine_km(near.latitude, near.longitude, entry.latitude, entry.longitude)


def track_rank(track: PartnerTrack | str) -> int:
    """P1: the invitation-only SELECT tracks come before OPEN."""
    return 1 if PartnerTrack(track) is PartnerTrack.OPEN else 0


def sort_key(entry: DirectoryEntry, by_distance: bool = False) -> tuple:
    """Locator order (P1): SELECT tracks, most delivered engagements, name; or distance.

    The key (and, for the database, the partner id) breaks remaining ties so pages never
    overlap or skip entries.
    """
    base = (track_rank(entry.track), -entry.delivered_engagements, entry.name, entry.key)
    if by_distance:
        return (entry.distance_km if entry.distance_km is not None else math.inf, *base)
    return base


def facets_of(entries: Iterable[DirectoryEntry]) -> Facets:
    tracks: Counter = Counter()
    types: Counter = Counter()
    countries: Counter = Counter()
    for entry in entries:
        tracks[entry.track] += 1
        types[entry.partner_type] += 1
        countries[entry.country] += 1
    return Facets(tracks=dict(tracks), types=dict(types), countries=dict(countries))


def with_distances(entries: Iterable[DirectoryEntry], near: Near | None) -> list[DirectoryEntry]:
    if near is None:
        return list(entries)
    return [replace(entry, distance_km=distance_to(entry, near)) for entry in entries]


def page_from_entries(entries: Sequence[DirectoryEntry], query: LocatorQuery) -> LocatorPage:
    """Order the full match set, count its facets and cut the requested page."""
    ordered = sorted(with_distances(entries, query.near), key=lambda e: sort_key(e, query.near is not None))
    window = ordered[query.offset : query.offset + query.limit]
    return LocatorPage(entries=tuple(window), total=len(ordered), facets=facets_of(ordered), offset=query.offset)


# --- asking the lookups ---------------------------------------------------------------


async def locate(plugin_manager: Any, query: LocatorQuery) -> LocatorPage:
    """Ask the lookups for `query.region` (firstresult: the first non-None answer wins).

    A query without a region is passed with `region=None`; region lookups normally pass
    on it, so the database lookup answers across all regions.

    The hook implementations are walked here, in pluggy's call order, rather than
    through `pm.hook`, so that the answer records which plugin gave it (`source`) and so
    that a lookup that fails — raises, answers something that is not a directory answer,
    or is slower than COSELL_PLUGIN_TIMEOUT_MS (an awaitable answer is cancelled at the
    limit) — is skipped: the error is logged naming the plugin and the next lookup (in the
    end the built-in database lookup) answers (docs/plugins.md, "Isolation").
    """
    hook = getattr(plugin_manager.hook, HOOK_NAME)
    kwargs = {"region": query.region, "query": query}
    region_name = query.region.value if query.region else "all regions"
    failed: list[str] = []
    for impl in reversed(hook.get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        try:
            answer = impl.function(*[kwargs[name] for name in impl.argnames])
            if inspect.isawaitable(answer):
                answer = await answer
        except DomainError:
            raise
        except Exception as exc:
            cause = exc.error if isinstance(getattr(exc, "error", None), BaseException) else exc
            if isinstance(cause, DomainError):
                raise cause from None
            log.error("partner lookup %r failed for %s, asking the next lookup: %s", impl.plugin_name, region_name,
                      exc, exc_info=exc, extra={"plugin": impl.plugin_name, "hook": HOOK_NAME})
            failed.append(impl.plugin_name)
            continue
        if answer is None:
            continue
        page = answer if isinstance(answer, LocatorPage) else page_from_entries(list(answer), query)
        return replace(page, source=impl.plugin_name)
    if failed:
        names = ", ".join(repr(name) for name in failed)
        raise LocatorUnavailable(f"The partner lookup {names} failed for {region_name} and no other lookup serves it.")
    raise LocatorUnavailable(f"No partner lookup serves {region_name}: is the database lookup disabled?")
