"""An in-memory index of the listed partners (D7, P1), for the database lookup.

Each listed partner has a position. Every filter value (a region, a country or language
served, a specialization, a type, a track, a headquarters country, a 1°×1° location cell)
has a bitmap — a Python int whose bit `position` is set when the partner has that value —
so a query is a few ANDs/ORs over ~12 KB integers at 100,000 partners, the total is a
popcount, and each facet count is the popcount of one AND.

At build time positions follow the locator order (P1: SELECT tracks, engagements desc,
name, id), so the first page of a query is its lowest set bits. Partners changed since
(`remove` then `add`) get new positions after those (the tail), in no order; pages merge
the tail in by sort key. The owner rebuilds when the tail grows (`tail_size`).

Pure: no I/O. `plugins.builtin.locator_directory` loads it and keeps it fresh.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from sys import intern
from typing import Iterable, Mapping

from partners.locator.search import EARTH_RADIUS_KM, Facets, LocatorQuery, bounding_box, haversine_km, track_rank
from partners.people.enums import PartnerTrack, PartnerType

# Kinds of list values a partner has (the keys of `values` in `add`/`build`).
LIST_KINDS = ("region", "country", "language", "specialization")
_FACET_KINDS = ("track", "type", "home")

def positions(bitmap: int, limit: int | None = None) -> list[int]:
    """The set bits of `bitmap`, lowest first (at most `limit`).

    The bits as a string, lowest first, split at each "1": the lengths of the zero runs
    give the positions, with the string work done in C.
    """
    zero_runs = bin(bitmap)[:1:-1].split("1", -1 if limit is None else limit)
    zero_runs.pop()  # what follows the last "1" taken
    return [total + index for index, total in enumerate(accumulate(map(len, zero_runs)))]


def bitmap_of(bits: Iterable[int]) -> int:
    """The bitmap with exactly `bits` set (built in a bytearray: one big int at the end)."""
    bits = list(bits)
    if not bits:
        return 0
    data = bytearray(max(bits) // 8 + 1)
    for bit in bits:
        data[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(data, "little")


@dataclass(frozen=True)
class SearchResult:
    total: int
    facets: Facets
    # The requested page: (partner id, distance in km when the query has `near`).
    window: list[tuple[int, float | None]]


class DirectoryIndex:
    """The listed partners, searchable by every locator filter."""

    def __init__(self) -> None:
        self.ids: list[int] = []  # position -> partner id
        self.keys: list[tuple] = []  # position -> locator sort key (P1)
        self.texts: list[str] = []  # position -> casefolded name, nickname and city
        # position -> location in degrees (NaN: none), and for `near` in radians with cos(lat);
        # arrays of doubles: 40 bytes a partner.
        self.lat, self.lon = array("d"), array("d")
        self.phi, self.lmb, self.cos_phi = array("d"), array("d"), array("d")
        self.facet_values: list[tuple[str, str, str]] = []  # position -> (track, type, country)
        self.position_of: dict[int, int] = {}  # partner id -> live position
        self.listed = 0  # live positions
        self.bitmaps: dict[tuple, int] = {}
        self.facet_keys: set[tuple] = set()  # the bitmaps facets count: track, type, home
        self.ordered = 0  # positions below this are in locator order

    # --- building and changing -------------------------------------------------------

    @classmethod
    def build(cls, partners: Iterable[Mapping], values: Iterable[tuple[str, str, Iterable[int]]]) -> "DirectoryIndex":
        """From partner rows (the listed ones) and `(kind, value, partner ids)` groups."""
        index = cls()
        rows = sorted(partners, key=_sort_key)
        for row in rows:
            index._append(row)
        index.ordered = len(rows)
        index.listed = (1 << len(rows)) - 1
        groups: dict[tuple, list[int]] = {}
        for position, (track, partner_type, country) in enumerate(index.facet_values):
            groups.setdefault(("track", track), []).append(position)
            groups.setdefault(("type", partner_type), []).append(position)
            groups.setdefault(("home", country), []).append(position)
            if index.located(position):
                groups.setdefault(("cell", index.cell(position)), []).append(position)
        position_of = index.position_of
        for kind, value, ids in values:
            groups.setdefault((kind, value), []).extend(position_of[i] for i in ids if i in position_of)
        index.bitmaps = {key: bitmap_of(bits) for key, bits in groups.items()}
        index.facet_keys = {key for key in groups if key[0] in _FACET_KINDS}
        return index

    def remove(self, partner_id: int) -> None:
        position = self.position_of.pop(partner_id, None)
        if position is not None:
            # Its bits elsewhere stay: every search intersects with `listed`.
            self.listed ^= 1 << position

    def add(self, row: Mapping, values: Mapping[str, Iterable[str]]) -> None:
        """List a (changed) partner at a new position in the tail; `remove` it first."""
        position = self._append(row)
        bit = 1 << position
        self.listed |= bit
        track, partner_type, country = self.facet_values[position]
        keys = [("track", track), ("type", partner_type), ("home", country)]
        if self.located(position):
            keys.append(("cell", self.cell(position)))
        keys += [(kind, value) for kind in LIST_KINDS for value in values.get(kind, ())]
        for key in keys:
            self.bitmaps[key] = self.bitmaps.get(key, 0) | bit
        self.facet_keys.update(keys[:3])

    def _append(self, row: Mapping) -> int:
        position = len(self.ids)
        self.ids.append(row["id"])
        self.keys.append(_sort_key(row))
        self.texts.append("\x00".join(str(row[f] or "").casefold() for f in ("name", "nickname", "city")))
        lat, lon = row["latitude"], row["longitude"]
        located = lat is not None and lon is not None
        lat, lon = (lat, lon) if located else (math.nan, math.nan)
        self.lat.append(lat)
        self.lon.append(lon)
        self.phi.append(math.radians(lat))
        self.lmb.append(math.radians(lon))
        self.cos_phi.append(math.cos(math.radians(lat)))
        # Interned: a handful of distinct values shared by every partner.
        self.facet_values.append((intern(row["track"]), intern(row["partner_type"]), intern(row["country"])))
        self.position_of[row["id"]] = position
        return position

    def located(self, position: int) -> bool:
        return not math.isnan(self.lat[position])

    def cell(self, position: int) -> tuple[int, int]:
        """The 1°×1° cell of a located partner."""
        return (math.floor(self.lat[position]), math.floor(self.lon[position]))

    @property
    def size(self) -> int:
        return len(self.position_of)

    @property
    def tail_size(self) -> int:
        return len(self.ids) - self.ordered

    # --- searching -------------------------------------------------------------------

    def search(self, query: LocatorQuery) -> SearchResult:
        bitmaps = self.bitmaps
        found = self.listed
        if query.types:
            found &= _union(bitmaps.get(("type", t.value), 0) for t in query.types)
        if query.tracks:
            found &= _union(bitmaps.get(("track", t.value), 0) for t in query.tracks)
        required = [("specialization", s) for s in query.specializations]
        if query.region is not None:
            required.append(("region", query.region.value))
        if query.country is not None:
            required.append(("country", query.country))
        if query.language is not None:
            required.append(("language", query.language))
        for key in required:
            found &= bitmaps.get(key, 0)
        if query.near is not None:
            found &= self._cells_around(query)
        if query.text is None and query.near is None:
            return SearchResult(found.bit_count(), self._facets_of_bitmap(found), self._window(found, query))
        return self._search_candidates(positions(found), query)

    def _search_candidates(self, candidates: list[int], query: LocatorQuery) -> SearchResult:
        """Text and distance are checked per candidate; they are the last filters applied."""
        if query.text is not None:
            needle, texts = query.text.casefold(), self.texts
            candidates = [p for p in candidates if needle in texts[p]]
        keys = self.keys
        if query.near is not None:
            measured = self._within(candidates, query.near)
            candidates = [position for _, _, position in measured]
            distances = {position: distance for distance, _, position in measured}
        elif candidates and candidates[-1] >= self.ordered:
            candidates.sort(key=keys.__getitem__)
        window = candidates[query.offset : query.offset + query.limit]
        counts: Counter = Counter()
        for (track, partner_type, country), n in Counter(self.facet_values[p] for p in candidates).items():
            counts[("track", track)] += n
            counts[("type", partner_type)] += n
            counts[("home", country)] += n
        facets = _facets(counts)
        return SearchResult(
            len(candidates), facets,
            [(self.ids[p], distances[p] if query.near is not None else None) for p in window],
        )

    def _within(self, candidates: list[int], near) -> list[tuple[float, tuple, int]]:
        """(distance, sort key, position) of the candidates within the radius, nearest first.

        Haversine's `a` grows with the distance, so it is compared with the radius's `a`
        first, inline; the exact `haversine_km` is then taken for the few that pass.
        """
        phi, lmb, cos_phi = math.radians(near.latitude), math.radians(near.longitude), math.cos(math.radians(near.latitude))
        limit = math.sin(near.radius_km / (2 * EARTH_RADIUS_KM)) ** 2 * (1 + 1e-9)
        sin, phis, lmbs, cosines, keys = math.sin, self.phi, self.lmb, self.cos_phi, self.keys
        close = [
            p for p in candidates
            if sin((phis[p] - phi) / 2) ** 2 + cos_phi * cosines[p] * sin((lmbs[p] - lmb) / 2) ** 2 <= limit
        ]
        measured = []
        for position in close:
            distance = haversine_km(near.latitude, near.longitude, self.lat[position], self.lon[position])
            if distance <= near.radius_km:
                measured.append((distance, keys[position], position))
        measured.sort()
        return measured

    def _window(self, found: int, query: LocatorQuery) -> list[tuple[int, float | None]]:
        wanted = query.offset + query.limit
        head = positions(found & ((1 << self.ordered) - 1), limit=wanted)
        tail = [self.ordered + p for p in positions(found >> self.ordered)]
        if tail:
            head = sorted(head + tail, key=self.keys.__getitem__)
        return [(self.ids[p], None) for p in head[query.offset : wanted]]

    def _facets_of_bitmap(self, found: int) -> Facets:
        bitmaps = self.bitmaps
        return _facets({key: (found & bitmaps[key]).bit_count() for key in self.facet_keys})

    def _cells_around(self, query: LocatorQuery) -> int:
        box = bounding_box(query.near)
        cells = 0
        for key, bitmap in self.bitmaps.items():
            if key[0] != "cell":
                continue
            lat, lon = key[1]
            if lat + 1 < box.min_lat or lat > box.max_lat:
                continue
            if box.lon_ranges and not any(lon + 1 >= west and lon <= east for west, east in box.lon_ranges):
                continue
            cells |= bitmap
        return cells


def _sort_key(row: Mapping) -> tuple:
    return (track_rank(row["track"]), -row["delivered_engagements"], row["name"], row["id"])


def _union(bitmaps: Iterable[int]) -> int:
    result = 0
    for bitmap in bitmaps:
        result |= bitmap
    return result


def _facets(counts: Mapping[tuple, int]) -> Facets:
    """Facets from counts keyed by ("track" | "type" | "home", value); zero counts are left out."""
    def of(kind: str, convert) -> dict:
        return {convert(value): n for (k, value), n in counts.items() if k == kind and n}

    return Facets(tracks=of("track", PartnerTrack), types=of("type", PartnerType), countries=of("home", str))
