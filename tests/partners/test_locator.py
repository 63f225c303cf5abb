"""Pure locator rules (D7, P1): distance, bounding box, ordering, filters, validation."""

import math
import random

import pytest

from partners.infra.errors import DomainError
from partners.locator.search import (
    MAX_RADIUS_KM,
    DirectoryEntry,
    Near,
    bounding_box,
    build_query,
    haversine_km,
    matches,
    page_from_entries,
    sort_key,
)
from partners.people.enums import PartnerTrack, PartnerType, Region


def entry(name, track=PartnerTrack.OPEN, engagements=0, **fields):
    values = dict(key=f"e:{name}", name=name, partner_type=PartnerType.RESELLER, track=track, region=Region.EMEA,
                  country="DE", delivered_engagements=engagements, regions_served=(Region.EMEA,),
                  countries_served=("DE",))
    values.update(fields)
    return DirectoryEntry(**values)


def test_haversine_known_distances():
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1)  # London–Paris
    assert haversine_km(40.7128, -74.0060, 34.0522, -118.2437) == pytest.approx(3936, abs=5)  # NYC–LA
    assert haversine_km(10, 20, 10, 20) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088)
    assert haversine_km(-16, 179.9, -16, -179.9) == pytest.approx(21.4, abs=0.1)  # across the antimeridian


@pytest.mark.parametrize(
    "near",
    [Near(52.5, 13.4, 600), Near(-16, 180, 1000), Near(-16, -179.5, 1500), Near(85, 0, 800), Near(-89, 40, 50),
     Near(0, 0, MAX_RADIUS_KM), Near(70, 170, 2000)],
)
def test_bounding_box_contains_the_whole_circle(near):
    box = bounding_box(near)
    rng = random.Random(7)
    inside = 0
    for _ in range(4000):
        lat, lon = rng.uniform(-90, 90), rng.uniform(-180, 180)
        if haversine_km(near.latitude, near.longitude, lat, lon) > near.radius_km:
            continue
        inside += 1
        assert box.min_lat <= lat <= box.max_lat
        assert not box.lon_ranges or any(lo <= lon <= hi for lo, hi in box.lon_ranges)
    # And points on the circle's edge in every direction.
    for bearing in range(0, 360, 5):
        lat, lon = _destination(near, math.radians(bearing), near.radius_km * 0.999)
        assert box.min_lat <= lat <= box.max_lat
        assert not box.lon_ranges or any(lo <= lon <= hi for lo, hi in box.lon_ranges)


def _destination(near, bearing, distance):
    d = distance / 6371.0088
    phi1, lmb1 = math.radians(near.latitude), math.radians(near.longitude)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
    lmb2 = lmb1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2))
    lon = (math.degrees(lmb2) + 540) % 360 - 180
    return math.degrees(phi2), lon


def test_bounding_box_splits_at_the_antimeridian():
    box = bounding_box(Near(-16, 179, 500))
    assert len(box.lon_ranges) == 2
    assert box.lon_ranges[0][1] == 180 and box.lon_ranges[1][0] == -180


def test_bounding_box_near_a_pole_spans_every_longitude():
    assert bounding_box(Near(89.5, 10, 100)).lon_ranges == ()


def test_order_select_tracks_first_then_engagements_then_name_p1():
    entries = [
        entry("Zed Open", engagements=50),
        entry("Bravo Select", PartnerTrack.SELECT, 1),
        entry("Alpha Services", PartnerTrack.SELECT_SERVICES, 1),
        entry("Able Open", engagements=50),
        entry("Busy Select", PartnerTrack.SELECT, 9),
    ]
    ordered = [e.name for e in sorted(entries, key=sort_key)]
    assert ordered == ["Busy Select", "Alpha Services", "Bravo Select", "Able Open", "Zed Open"]


def test_order_by_distance_first_when_near():
    entries = [entry("Far Select", PartnerTrack.SELECT, distance_km=90.0), entry("Close Open", distance_km=3.0),
               entry("Unknown", PartnerTrack.SELECT)]
    assert [e.name for e in sorted(entries, key=lambda e: sort_key(e, True))] == ["Close Open", "Far Select", "Unknown"]


def test_page_from_entries_orders_counts_facets_and_cuts():
    entries = [entry(f"P{i}", PartnerTrack.SELECT if i % 3 == 0 else PartnerTrack.OPEN, i) for i in range(10)]
    page = page_from_entries(entries, build_query(offset=2, limit=3))
    assert [e.name for e in page.entries] == ["P3", "P0", "P8"]
    assert page.total == 10 and page.has_next
    assert page.facets.tracks == {PartnerTrack.SELECT: 4, PartnerTrack.OPEN: 6}
    last = page_from_entries(entries, build_query(offset=8, limit=5))
    assert len(last.entries) == 2 and not last.has_next


def test_matches_applies_every_filter():
    e = entry("Berlin Kube", PartnerTrack.SELECT, specializations=("devsecops", "kubernetes"), languages=("de",),
              city="Berlin", nickname="BK", latitude=52.52, longitude=13.40, countries_served=("DE", "AT"))
    assert matches(e, build_query())
    assert matches(e, build_query(region=Region.EMEA, country="at", types=[PartnerType.RESELLER],
                                  tracks=[PartnerTrack.SELECT], specializations=["kubernetes"], language="DE",
                                  text="berl", near=(52.0, 13.0, 100)))
    assert not matches(e, build_query(region=Region.APJ))
    assert not matches(e, build_query(country="FR"))
    assert not matches(e, build_query(types=[PartnerType.MSP]))
    assert not matches(e, build_query(tracks=[PartnerTrack.OPEN]))
    assert not matches(e, build_query(specializations=["kubernetes", "security"]))
    assert not matches(e, build_query(language="fr"))
    assert not matches(e, build_query(text="munich"))
    assert not matches(e, build_query(near=(48.14, 11.58, 100)))
    assert not matches(entry("Nowhere"), build_query(near=(0, 0, 2000)))


def test_build_query_normalises():
    q = build_query(country=" de ", language="EN", specializations=["Kubernetes", "kubernetes "], text="  ")
    assert (q.country, q.language, q.specializations, q.text) == ("DE", "en", ("kubernetes",), None)


def test_build_query_refuses_nan_and_reports_rule_d7():
    with pytest.raises(DomainError) as caught:
        build_query(near=(float("nan"), 0.0, float("inf")))
    assert {v.code for v in caught.value.violations} == {"INVALID_LATITUDE", "INVALID_RADIUS"}
    assert {v.rule for v in caught.value.violations} == {"D7"}
