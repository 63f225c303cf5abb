"""A small partner directory for the locator tests (D7, P1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.people.tables import (
    Partner,
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)
from server.testing import World, make_partner


@dataclass
class Listed:
    name: str
    region: Region
    country: str
    partner_type: PartnerType = PartnerType.RESELLER
    track: PartnerTrack = PartnerTrack.OPEN
    engagements: int = 0
    latitude: float | None = None
    longitude: float | None = None
    city: str = ""
    regions: tuple[Region, ...] = ()
    countries: tuple[str, ...] = ()
    specializations: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    status: PartnerStatus = PartnerStatus.AUTHORIZED
    published: bool = True
    extra: dict = field(default_factory=dict)


async def add_directory(partner_id: int, item: Listed) -> None:
    """The directory lists: home region and country first, then the others served."""
    regions = dict.fromkeys([item.region, *item.regions])
    countries = dict.fromkeys([item.country, *item.countries])
    rows = [
        *[PartnerRegionServed(partner=partner_id, value=r.value) for r in regions],
        *[PartnerCountryServed(partner=partner_id, value=c) for c in countries],
        *[PartnerSpecialization(partner=partner_id, value=s) for s in item.specializations],
        *[PartnerCertification(partner=partner_id, value=c) for c in item.certifications],
        *[PartnerLanguage(partner=partner_id, value=lang) for lang in item.languages],
    ]
    for row in rows:
        await row.save()


async def list_partner(item: Listed) -> int:
    partner_id = await make_partner(
        item.name, nickname=item.name.split()[0][:8].upper(), partner_type=item.partner_type, track=item.track,
        status=item.status, region=item.region, country=item.country, city=item.city, latitude=item.latitude,
        longitude=item.longitude, published=item.published, delivered_engagements=item.engagements,
        approved_registrations=item.engagements * 2, website=f"https://{item.name.split()[0].lower()}.example",
        **item.extra,
    )
    await add_directory(partner_id, item)
    return partner_id


DIRECTORY = [
    Listed("Berlin Cloud Select", Region.EMEA, "DE", PartnerType.SYSTEM_INTEGRATOR, PartnerTrack.SELECT, 5,
           52.52, 13.40, "Berlin", countries=("AT",), specializations=("kubernetes", "devsecops"),
           certifications=("professional-services-engineer",), languages=("de", "en")),
    Listed("Munich Ops", Region.EMEA, "DE", PartnerType.MSP, PartnerTrack.OPEN, 20, 48.14, 11.58, "München",
           specializations=("kubernetes",), languages=("de",)),
    Listed("Paris Services", Region.EMEA, "FR", PartnerType.SYSTEM_INTEGRATOR, PartnerTrack.SELECT_SERVICES, 2,
           48.86, 2.35, "Paris", countries=("BE",), specializations=("cloud-migration",), languages=("fr", "en")),
    Listed("London Resell", Region.EMEA, "GB", PartnerType.RESELLER, PartnerTrack.OPEN, 20, 51.51, -0.13,
           "Westminster", specializations=("devsecops",)),
    Listed("Tokyo Alliance", Region.APJ, "JP", PartnerType.CLOUD_ALLIANCE, PartnerTrack.SELECT, 1, 35.68, 139.69,
           "Tokyo", regions=(Region.AMER,), specializations=("data-ai",), languages=("ja", "en")),
    Listed("Suva Islands IT", Region.APJ, "FJ", PartnerType.RESELLER, PartnerTrack.OPEN, 3, -18.0, 178.5, "Suva"),
    Listed("Apia Pacific IT", Region.APJ, "WS", PartnerType.RESELLER, PartnerTrack.OPEN, 4, -13.8, -172.0, "Apia"),
    Listed("Sao Paulo Database Reseller", Region.LATAM, "BR", PartnerType.RESELLER, PartnerTrack.OPEN, 7,
           -23.55, -46.63, "São Paulo", specializations=("kubernetes",), languages=("pt",)),
    # Never listed (P1): not authorized, or not published.
    Listed("Hidden Prospect", Region.EMEA, "DE", track=PartnerTrack.SELECT, engagements=99,
           status=PartnerStatus.PROSPECT, latitude=52.5, longitude=13.4),
    Listed("Denied Partner", Region.EMEA, "DE", track=PartnerTrack.SELECT, engagements=99,
           status=PartnerStatus.DENIED, latitude=52.5, longitude=13.4),
    Listed("Unpublished Select", Region.EMEA, "DE", track=PartnerTrack.SELECT, engagements=99,
           published=False, latitude=52.5, longitude=13.4),
]
HIDDEN = {"Hidden Prospect", "Denied Partner", "Unpublished Select"}


async def build_directory(world: World) -> dict[str, int]:
    """The world's two partners get directory lists, then the partners above are added."""
    ids = {}
    await add_directory(world.partners["alpha"], Listed("Alpha Resellers", Region.AMER, "US"))
    await add_directory(world.partners["beta"], Listed("Beta Distribution", Region.EMEA, "DE", languages=("de",)))
    await Partner.update({Partner.city: "Frankfurt"}).where(Partner.id == world.partners["beta"])
    for item in DIRECTORY:
        ids[item.name] = await list_partner(item)
    return ids
