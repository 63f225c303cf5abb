"""A believable demo world: partners of every type and track, accounts in hierarchies
across every region, and users of every role with their tokens.

Deterministic (seeded), so every fresh `make run` shows the same world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from partners.enums import AccountType, PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.identity import create_user, issue_token, now
from partners.tables import (
    Account,
    Partner,
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
    User,
)

# (country, city, latitude, longitude) per region.
PLACES: dict[Region, list[tuple[str, str, float, float]]] = {
    Region.AMER: [
        ("US", "New York", 40.71, -74.01), ("US", "San Francisco", 37.77, -122.42),
        ("US", "Chicago", 41.88, -87.63), ("US", "Austin", 30.27, -97.74),
        ("CA", "Toronto", 43.65, -79.38), ("CA", "Vancouver", 49.28, -123.12),
    ],
    Region.EMEA: [
        ("GB", "London", 51.51, -0.13), ("DE", "Berlin", 52.52, 13.40), ("DE", "Munich", 48.14, 11.58),
        ("FR", "Paris", 48.86, 2.35), ("NL", "Amsterdam", 52.37, 4.90), ("SE", "Stockholm", 59.33, 18.07),
        ("AE", "Dubai", 25.20, 55.27), ("ZA", "Johannesburg", -26.20, 28.05),
    ],
    Region.APJ: [
        ("JP", "Tokyo", 35.68, 139.69), ("AU", "Sydney", -33.87, 151.21), ("SG", "Singapore", 1.35, 103.82),
        ("IN", "Bengaluru", 12.97, 77.59), ("KR", "Seoul", 37.57, 126.98),
    ],
    Region.LATAM: [
        ("BR", "São Paulo", -23.55, -46.63), ("MX", "Mexico City", 19.43, -99.13),
        ("AR", "Buenos Aires", -34.60, -58.38), ("CL", "Santiago", -33.45, -70.67), ("CO", "Bogotá", 4.71, -74.07),
    ],
    Region.PUBSEC: [
        ("US", "Washington", 38.91, -77.04), ("US", "Arlington", 38.88, -77.10), ("US", "Sacramento", 38.58, -121.49),
    ],
}

PARTNER_WORDS = [
    "Northwind", "Bluepeak", "Ironbridge", "Silverline", "Brightpath", "Cloudforge", "Redwood", "Granite",
    "Lighthouse", "Summit", "Harbor", "Keystone", "Meridian", "Orbit", "Pioneer", "Quantum", "Riverbend",
    "Sapphire", "Tidewater", "Vantage", "Westgate", "Zenith", "Atlas", "Beacon", "Cobalt",
]
PARTNER_SUFFIX = {
    PartnerType.RESELLER: ["Solutions", "Software", "IT", "Systems"],
    PartnerType.DISTRIBUTOR: ["Distribution", "Supply", "Wholesale"],
    PartnerType.SYSTEM_INTEGRATOR: ["Consulting", "Integration", "Digital"],
    PartnerType.MSP: ["Managed Services", "Ops", "Cloud Services"],
    PartnerType.CLOUD_ALLIANCE: ["Cloud", "Hyperscale"],
    PartnerType.OEM: ["Embedded", "Devices"],
    PartnerType.TRAINING: ["Academy", "Learning"],
}
TYPE_WEIGHTS = {
    PartnerType.RESELLER: 40, PartnerType.DISTRIBUTOR: 10, PartnerType.SYSTEM_INTEGRATOR: 20,
    PartnerType.MSP: 12, PartnerType.CLOUD_ALLIANCE: 6, PartnerType.OEM: 6, PartnerType.TRAINING: 6,
}
COMPANY_WORDS = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent",
    "Gringotts", "Oceanic", "Massive Dynamic", "Vandelay", "Wonka", "Aperture", "Black Mesa", "Monarch",
    "Nakatomi", "Prestige", "Rekall", "Sirius", "Virtucon", "Zorg", "Dunder", "Pied Piper", "Bluth",
    "Krusty", "Duff", "Ollivander", "Planet Express", "Spacely", "Cogswell", "Gekko", "Omni",
    "Weyland", "Yoyodyne", "Axiom", "Helix", "Lumon",
]
COMPANY_SUFFIX = ["Inc", "Ltd", "GmbH", "Corp", "SA", "KK", "Pty Ltd", "LLC"]

# Partner directory vocabularies (D7): specialization and certification codes, languages.
SPECIALIZATIONS = [
    "kubernetes", "devsecops", "ci-cd", "cloud-migration", "observability", "agile-planning",
    "security", "data-ai",
]
CERTIFICATIONS = ["certified-associate", "professional-services-engineer", "certified-trainer", "security-specialist"]
LANGUAGES = {
    "US": "en", "CA": "en", "GB": "en", "DE": "de", "FR": "fr", "NL": "nl", "SE": "sv", "AE": "ar",
    "ZA": "en", "JP": "ja", "AU": "en", "SG": "en", "IN": "en", "KR": "ko", "BR": "pt", "MX": "es",
    "AR": "es", "CL": "es", "CO": "es",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    detail: str
    token: str


async def is_empty() -> bool:
    return not await User.exists() and not await Partner.exists() and not await Account.exists()


def _partner_rows(rng: random.Random, count: int) -> list[Partner]:
    types = list(TYPE_WEIGHTS)
    weights = list(TYPE_WEIGHTS.values())
    regions = list(Region)
    rows: list[Partner] = []
    used: set[str] = set()
    counts = random.Random(8)  # its own stream: the rest of the world stays as it was
    for i in range(count):
        # Every type appears at least once, then by weight.
        ptype = types[i] if i < len(types) else rng.choices(types, weights)[0]
        region = regions[i % len(regions)]
        country, city, lat, lon = rng.choice(PLACES[region])
        name = f"{rng.choice(PARTNER_WORDS)} {rng.choice(PARTNER_SUFFIX[ptype])}"
        while name in used:
            name = f"{rng.choice(PARTNER_WORDS)} {rng.choice(PARTNER_WORDS)} {rng.choice(PARTNER_SUFFIX[ptype])}"
        used.add(name)
        track = rng.choices(list(PartnerTrack), [70, 20, 10])[0]
        status = rng.choices(list(PartnerStatus), [10, 85, 5])[0] if i >= 10 else PartnerStatus.AUTHORIZED
        signed = status is PartnerStatus.AUTHORIZED or rng.random() < 0.3
        rows.append(
            Partner(
                name=name,
                nickname=f"P{i + 1}",
                partner_type=ptype.value,
                track=track.value,
                is_psp=ptype is PartnerType.SYSTEM_INTEGRATOR and rng.random() < 0.5,
                status=status.value,
                agreement_signed_at=now() if signed else None,
                trained_employees=rng.randint(1, 25) if signed else rng.randint(0, 1),
                region=region.value,
                country=country,
                city=city,
                website=f"https://{name.lower().replace(' ', '')}.example",
                latitude=round(lat + rng.uniform(-0.2, 0.2), 5),
                longitude=round(lon + rng.uniform(-0.2, 0.2), 5),
                published=rng.random() > 0.05,
                approved_registrations=counts.randint(0, 40),
                delivered_engagements=counts.randint(0, 30),
                created_at=now(),
            )
        )
    return rows


def directory_rows(rng: random.Random, partners: list[dict]) -> list:
    """What each partner serves and offers (D7): its home region and country, sometimes
    neighbours, 1–3 specializations, certifications, its country's language and often English.
    `partners` are dicts with id, region and country."""
    rows: list = []
    regions = list(Region)
    for partner in partners:
        pid, region, country = partner["id"], partner["region"], partner["country"]
        served_regions = {region} | ({rng.choice(regions).value} if rng.random() < 0.2 else set())
        rows += [PartnerRegionServed(partner=pid, value=r) for r in sorted(served_regions)]
        neighbours = [c for c, _, _, _ in PLACES[Region(region)] if c != country]
        served = {country} | set(rng.sample(neighbours, k=min(len(neighbours), rng.randint(0, 2))))
        rows += [PartnerCountryServed(partner=pid, value=c) for c in sorted(served)]
        rows += [PartnerSpecialization(partner=pid, value=v) for v in rng.sample(SPECIALIZATIONS, rng.randint(1, 3))]
        rows += [PartnerCertification(partner=pid, value=v) for v in rng.sample(CERTIFICATIONS, rng.randint(0, 2))]
        languages = {LANGUAGES.get(country, "en")} | ({"en"} if rng.random() < 0.7 else set())
        rows += [PartnerLanguage(partner=pid, value=v) for v in sorted(languages)]
    return rows


async def _create_directory(seed: int) -> None:
    partners = await Partner.select(Partner.id, Partner.region, Partner.country).order_by(Partner.id)
    rows = directory_rows(random.Random(seed), partners)
    for table in (PartnerRegionServed, PartnerCountryServed, PartnerSpecialization, PartnerCertification,
                  PartnerLanguage):
        batch = [row for row in rows if isinstance(row, table)]
        if batch:
            await table.insert(*batch)


async def _create_accounts(rng: random.Random, parents: int) -> int:
    created = 0
    regions = list(Region)
    for i in range(parents):
        region = regions[i % len(regions)]
        country, _, _, _ = rng.choice(PLACES[region])
        base = COMPANY_WORDS[i % len(COMPANY_WORDS)]
        name = f"{base}, {rng.choice(COMPANY_SUFFIX)}" if i < len(COMPANY_WORDS) else f"{base} {i}, Inc"
        parent = Account(
            name=name,
            website=f"https://{base.lower().replace(' ', '')}{'' if i < len(COMPANY_WORDS) else i}.example",
            account_type=rng.choice([AccountType.CUSTOMER, AccountType.PROSPECT, AccountType.FORMER_CUSTOMER]).value,
            region=region.value,
            country=country,
            created_at=now(),
        )
        await parent.save()
        created += 1
        for j in range(rng.randint(0, 3)):
            child_region = rng.choice(regions)
            child_country, child_city, _, _ = rng.choice(PLACES[child_region])
            child = Account(
                name=f"{base} {child_city} {child_country}",
                website=parent.website,
                account_type=parent.account_type,
                parent=parent.id,
                region=child_region.value,
                country=child_country,
                created_at=now(),
            )
            await child.save()
            created += 1
    return created


async def load_demo(partner_count: int = 200, parent_accounts: int = 60, seed: int = 42) -> list[DemoLogin]:
    """Create the demo world in an empty database; returns the logins with their tokens."""
    rng = random.Random(seed)
    await Partner.insert(*_partner_rows(rng, partner_count))
    await _create_directory(seed + 8)
    await _create_accounts(rng, parent_accounts)

    logins: list[DemoLogin] = []

    async def add(email: str, name: str, role: Role, detail: str = "", **kwargs) -> None:
        user = await create_user(email=email, name=name, role=role, **kwargs)
        _, token = await issue_token(user.id, name="demo")
        logins.append(DemoLogin(email=email, name=name, role=role, detail=detail, token=token))

    await add("admin@cosell.example", "Ada Admin", Role.ADMIN)
    await add("ops@cosell.example", "Sam Ops", Role.SALES_OPS)
    for region in Region:
        await add(
            f"cm.{region.value.lower()}@cosell.example", f"{region.value.title()} Channel Manager",
            Role.CHANNEL_MANAGER, region.value, regions=[region],
        )
    await add("cm.global@cosell.example", "Gabi Global", Role.CHANNEL_MANAGER, "AMER, EMEA, APJ",
              regions=[Region.AMER, Region.EMEA, Region.APJ])
    for region in (Region.AMER, Region.EMEA, Region.APJ):
        await add(f"ae.{region.value.lower()}@cosell.example", f"{region.value.title()} Account Executive",
                  Role.ACCOUNT_EXECUTIVE, region.value, regions=[region])
    await add("sdr@cosell.example", "Dee SDR", Role.SDR, "AMER", regions=[Region.AMER])

    authorized = await (
        Partner.select(Partner.id, Partner.name, Partner.partner_type, Partner.track)
        .where(Partner.status == PartnerStatus.AUTHORIZED)
        .order_by(Partner.id)
    )
    seen_types: set[str] = set()
    for partner in authorized:
        if partner["partner_type"] in seen_types or len(seen_types) >= 4:
            continue
        seen_types.add(partner["partner_type"])
        slug = partner["name"].lower().replace(" ", ".")
        await add(f"user@{slug}.example", f"{partner['name']} Portal User", Role.PARTNER_USER,
                  f"{partner['name']} ({partner['partner_type']}, {partner['track']})", partner_id=partner["id"])
    return logins
