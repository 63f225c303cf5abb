"""A partner's directory profile, as `updatePartner` edits it (issue 34, D7): specializations,
location (latitude and longitude with the city and country), and the regions, countries and
languages it serves.

Codes are checked as the locator checks a query (partners.locator.search: ISO 3166-1
alpha-2 countries, ISO 639-1 languages, lower-case specialization codes) and, for countries
and languages, against the ISO lists CLDR (babel) knows, so that a typo such as `UK` (the
code is `GB`) is refused rather than listed where no search finds it. The served lists
always hold the partner's home region and country (the locator's directory contract). The
locator sees the edit at its next search: database triggers bump the directory version on
every write to these tables (plugins/builtin/locator_directory.py).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from babel import Locale

from partners.infra.errors import Violation
from partners.locator.search import COUNTRY_CODE, LANGUAGE_CODE, SPECIALIZATION_CODE
from partners.people.enums import Region
from partners.people.tables import (
    Partner,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)

LISTS = {
    "specializations": PartnerSpecialization,
    "languages": PartnerLanguage,
    "regions_served": PartnerRegionServed,
    "countries_served": PartnerCountryServed,
}
FIELDS = (*LISTS, "latitude", "longitude")
MAX_ITEMS = {"specializations": 30, "languages": 30, "regions_served": len(Region), "countries_served": 250}
# CLDR territories that are not countries (EU, the UN, "unknown", pseudo-locales).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
GRAPHQL_NAMES = {"specializations": "specializations", "languages": "languages", "regions_served": "regionsServed",
                 "countries_served": "countriesServed", "latitude": "latitude", "longitude": "longitude"}


@lru_cache(maxsize=1)
def _known() -> tuple[frozenset[str], frozenset[str]]:
    english = Locale("en")
    countries = frozenset(c for c in english.territories if len(c) == 2 and c.isalpha()) - _NOT_COUNTRIES
    languages = frozenset(code for code in english.languages if len(code) == 2)
    return countries, languages


def is_country(code: str) -> bool:
    return bool(COUNTRY_CODE.match(code)) and code in _known()[0]


def is_language(code: str) -> bool:
    return bool(LANGUAGE_CODE.match(code)) and code in _known()[1]


def normalized(changes: dict[str, Any]) -> dict[str, Any]:
    """The profile's given fields, codes trimmed and cased, lists deduplicated in order."""
    result = {}
    for key in FIELDS:
        if key not in changes:
            continue
        value = changes[key]
        if key in ("specializations", "languages"):
            value = list(dict.fromkeys(v.strip().lower() for v in value or ()))
        elif key == "countries_served":
            value = list(dict.fromkeys(v.strip().upper() for v in value or ()))
        elif key == "regions_served":
            value = list(dict.fromkeys(Region(getattr(v, "value", v)) for v in value or ()))
        result[key] = value
    return result


def profile_violations(profile: dict[str, Any]) -> list[Violation]:
    """D7: every bad field at once (`profile` as `normalized` gives it)."""
    violations = []

    def bad(code: str, message: str, key: str, index: int | None = None) -> None:
        path = (GRAPHQL_NAMES[key],) if index is None else (GRAPHQL_NAMES[key], str(index))
        violations.append(Violation(code, message, path, "D7"))

    for key, limit in MAX_ITEMS.items():
        if len(profile.get(key) or ()) > limit:
            bad("TOO_MANY_VALUES", f"At most {limit} values.", key)
    for i, code in enumerate(profile.get("specializations") or ()):
        if not SPECIALIZATION_CODE.match(code):
            bad("INVALID_SPECIALIZATION", "Specializations are codes such as `kubernetes` or `cloud-migration` "
                "(lower-case letters, digits and '-', at most 60).", "specializations", i)
    for i, code in enumerate(profile.get("languages") or ()):
        if not is_language(code):
            bad("INVALID_LANGUAGE", f"{code!r} is not an ISO 639-1 language code such as de.", "languages", i)
    for i, code in enumerate(profile.get("countries_served") or ()):
        if not is_country(code):
            bad("INVALID_COUNTRY", f"{code!r} is not an ISO 3166-1 alpha-2 country code such as DE.",
                "countries_served", i)
    if ("latitude" in profile) != ("longitude" in profile) or (
            (profile.get("latitude") is None) != (profile.get("longitude") is None)):
        bad("LOCATION_INCOMPLETE", "Give latitude and longitude together (or clear both).", "latitude")
    latitude, longitude = profile.get("latitude"), profile.get("longitude")
    if latitude is not None and not (math.isfinite(latitude) and -90 <= latitude <= 90):
        bad("INVALID_LATITUDE", "`latitude` must be between -90 and 90.", "latitude")
    if longitude is not None and not (math.isfinite(longitude) and -180 <= longitude <= 180):
        bad("INVALID_LONGITUDE", "`longitude` must be between -180 and 180.", "longitude")
    return violations


async def write(partner: dict, profile: dict[str, Any]) -> None:
    """Store the given profile fields of `partner` (its row as it is now, after the rest of
    the update): each given list replaces the old one; the home region and country are kept
    among those served."""
    if "latitude" in profile:
        await Partner.update({Partner.latitude: profile["latitude"], Partner.longitude: profile["longitude"]}).where(
            Partner.id == partner["id"])
    for key, table in LISTS.items():
        if key not in profile:
            continue
        await table.delete().where(table.partner == partner["id"])
        values = [getattr(v, "value", v) for v in profile[key]]
        if values:
            await table.insert(*[table(partner=partner["id"], value=v) for v in values])
    for table, home in ((PartnerRegionServed, partner["region"]), (PartnerCountryServed, partner["country"])):
        if not await table.exists().where((table.partner == partner["id"]) & (table.value == home)):
            await table(partner=partner["id"], value=home).save()
