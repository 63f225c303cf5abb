"""Partners (with their directory listings), partner admins and the demo's users with their
tokens (people domain)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from partners.demo.vocabulary import (
    CERTIFICATIONS,
    LANGUAGES,
    PARTNER_SUFFIX,
    PARTNER_WORDS,
    PLACES,
    SPECIALIZATIONS,
    TYPE_WEIGHTS,
)
from partners.infra.clock import now
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.people.identity import create_user, issue_token
from partners.people.principal import Principal
from partners.people.tables import (
    Partner,
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
    User,
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    detail: str
    token: str


async def create_partners(rng: random.Random, count: int) -> None:
    """`count` partners of every type, region, track and status: the world's first draws from `rng`."""
    await Partner.insert(*partner_rows(rng, count))


def partner_rows(rng: random.Random, count: int) -> list[Partner]:
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


async def create_directory(seed: int) -> None:
    partners = await Partner.select(Partner.id, Partner.region, Partner.country).order_by(Partner.id)
    rows = directory_rows(random.Random(seed), partners)
    for table in (PartnerRegionServed, PartnerCountryServed, PartnerSpecialization, PartnerCertification,
                  PartnerLanguage):
        batch = [row for row in rows if isinstance(row, table)]
        if batch:
            await table.insert(*batch)


async def create_partner_admins() -> list[int]:
    """One PARTNER_ADMIN per authorized partner (#18), who manages its people."""
    authorized = await Partner.select(Partner.id, Partner.name, Partner.region).where(
        Partner.status == PartnerStatus.AUTHORIZED.value).order_by(Partner.id)
    rows = [User(email=f"partner.admin@{p['name'].lower().replace(' ', '.')}.example",
                 name=f"{p['name']} Partner Admin", role=Role.PARTNER_ADMIN.value, partner=p["id"],
                 regions=[p["region"]], created_at=now()) for p in authorized]
    if rows:
        await User.insert(*rows)
    return [p["id"] for p in authorized]


async def create_users() -> list[DemoLogin]:
    """Staff of every role, a portal user for each of the first authorized partners of four
    types, the partner admins, and a token for each; returns their logins."""
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
    await add("smb.advocate@cosell.example", "Sky SMB Advocate", Role.SMB_ADVOCATE, "Partner Opp cases (D9)",
              regions=[Region.AMER])

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
    await create_partner_admins()
    for partner in (p for p in authorized if p["partner_type"] in seen_types):
        admin = await User.select(User.id, User.email, User.name).where(
            (User.partner == partner["id"]) & (User.role == Role.PARTNER_ADMIN.value)).first()
        _, token = await issue_token(admin["id"], name="demo")
        logins.append(DemoLogin(email=admin["email"], name=admin["name"], role=Role.PARTNER_ADMIN,
                                detail=f"{partner['name']} (manages its people)", token=token))
        seen_types.discard(partner["partner_type"])
    return logins


USER_COLUMNS = (User.id, User.email, User.name, User.role, User.partner, User.regions)


def as_principal(row: dict) -> Principal:
    """A demo user (a row of `USER_COLUMNS`) acting through the real services."""
    return Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]),
                     partner_id=row["partner"], regions=tuple(Region(r) for r in row["regions"] or []))
