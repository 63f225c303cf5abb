"""A believable demo world: partners of every type and track, accounts in hierarchies
across every region, and users of every role with their tokens.

Deterministic (seeded), so every fresh `make run` shows the same world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from datetime import timedelta

from partners.accounts.service import recompute_hierarchy
from partners.accounts.enums import AccountType, AddressSource, Ranking, ScreeningStatus
from partners.opportunities.enums import (
    ContactRole,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
)
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.people.identity import create_user, issue_token
from partners.infra.clock import now
from partners.opportunities.service import ACCEPTED_STAGES, CLOSED_STAGES, QUALIFIED_STAGES, sales_qualified_source
from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining
from partners.accounts.tables import Account, AccountAddress, Contact
from partners.opportunities.tables import (
    Opportunity,
    OpportunityContact,
    OpportunityPartner,
    OpportunityStageChange,
)
from partners.people.tables import (
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


async def _create_program_records() -> None:
    """P1/P2 records behind each partner (#18): its status and track history, the signed
    agreement of those that signed, and foundations completions of their trained people
    (one expired, which does not count); `trained_employees` is the count that counts."""
    at = now()
    today = at.date()
    agreements, trainings, changes = [], [], []
    partners = await Partner.select().order_by(Partner.id)
    for i, p in enumerate(partners):
        pid, slug = p["id"], p["name"].lower().replace(" ", "")
        changes.append(PartnerChange(partner=pid, kind="STATUS", from_value="", to_value="PROSPECT",
                                     reason="Applied through the partner portal.", changed_at=at - timedelta(days=400)))
        if p["status"] != PartnerStatus.PROSPECT.value:
            reason = "Agreement breach" if p["status"] == PartnerStatus.DENIED.value else "Vetted by the channel team"
            changes.append(PartnerChange(partner=pid, kind="STATUS", from_value="PROSPECT", to_value=p["status"],
                                         reason=reason, changed_at=at - timedelta(days=380)))
        if p["track"] != PartnerTrack.OPEN.value:
            changes.append(PartnerChange(partner=pid, kind="TRACK", from_value="OPEN", to_value=p["track"],
                                         reason="Invited at the annual partner review", changed_at=at - timedelta(days=200)))
        if p["agreement_signed_at"] is not None:
            agreements.append(PartnerAgreement(partner=pid, version="2026.1", signed_on=today - timedelta(days=30 + i),
                                               signer_name=f"{p['name']} Managing Director",
                                               signer_email=f"legal@{slug}.example", recorded_at=at))
        people = min(p["trained_employees"] or 0, 3)
        for n in range(people):
            trainings.append(PartnerTraining(partner=pid, person_name=f"{FIRST_NAMES[(i + n) % len(FIRST_NAMES)]} "
                                             f"{LAST_NAMES[(i * 3 + n) % len(LAST_NAMES)]}",
                                             person_email=f"person{n + 1}@{slug}.example", course="PARTNER_FOUNDATIONS",
                                             completed_on=today - timedelta(days=60 + n), recorded_at=at,
                                             expires_on=today + timedelta(days=300) if n == 0 else None))
        if people and i % 7 == 0:
            trainings.append(PartnerTraining(partner=pid, person_name="Former Employee",
                                             person_email=f"former@{slug}.example", course="PARTNER_FOUNDATIONS",
                                             completed_on=today - timedelta(days=800),
                                             expires_on=today - timedelta(days=70), recorded_at=at))
        if people > 1:
            trainings.append(PartnerTraining(partner=pid, person_name="Sales Lead", person_email=f"sales@{slug}.example",
                                             course="SALES_ACCREDITATION", completed_on=today - timedelta(days=20),
                                             recorded_at=at))
        if people != (p["trained_employees"] or 0):
            await Partner.update({Partner.trained_employees: people}).where(Partner.id == pid)
    for table, rows in ((PartnerChange, changes), (PartnerAgreement, agreements), (PartnerTraining, trainings)):
        if rows:
            await table.insert(*rows)


async def _create_partner_admins() -> list[int]:
    """One PARTNER_ADMIN per authorized partner (#18), who manages its people."""
    authorized = await Partner.select(Partner.id, Partner.name, Partner.region).where(
        Partner.status == PartnerStatus.AUTHORIZED.value).order_by(Partner.id)
    rows = [User(email=f"partner.admin@{p['name'].lower().replace(' ', '.')}.example",
                 name=f"{p['name']} Partner Admin", role=Role.PARTNER_ADMIN.value, partner=p["id"],
                 regions=[p["region"]], created_at=now()) for p in authorized]
    if rows:
        await User.insert(*rows)
    return [p["id"] for p in authorized]


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
        await Account.update({Account.ultimate_parent: parent.id}).where(Account.id == parent.id)
        created += 1
        for j in range(rng.randint(0, 3)):
            child_region = rng.choice(regions)
            child_country, child_city, _, _ = rng.choice(PLACES[child_region])
            child = Account(
                name=f"{base} {child_city} {child_country}",
                website=parent.website,
                account_type=parent.account_type,
                parent=parent.id,
                ultimate_parent=parent.id,
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
    await _create_program_records()
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
    await _create_partner_admins()
    for partner in (p for p in authorized if p["partner_type"] in seen_types):
        admin = await User.select(User.id, User.email, User.name).where(
            (User.partner == partner["id"]) & (User.role == Role.PARTNER_ADMIN.value)).first()
        _, token = await issue_token(admin["id"], name="demo")
        logins.append(DemoLogin(email=admin["email"], name=admin["name"], role=Role.PARTNER_ADMIN,
                                detail=f"{partner['name']} (manages its people)", token=token))
        seen_types.discard(partner["partner_type"])
    await _enrich_accounts(rng)
    await _create_opportunities(rng)
    await _create_cosell_plans()
    await _create_registrations()
    await create_example_discount_policy()
    await _create_webhook_endpoint()
    await _create_leads_and_cases()
    return logins


async def _create_webhook_endpoint() -> None:
    """An example webhook endpoint (issue 20) of the first portal user's partner, made by its
    partner admin and disabled: the URL is a placeholder, so nothing is sent until the partner
    puts its own and enables it."""
    from partners.people.principal import Principal
    from partners.webhooks import endpoints
    from partners.webhooks.events import EventCategory

    portal = await User.select(User.partner).where(User.role == Role.PARTNER_USER.value).order_by(User.id).first()
    row = await User.select(User.id, User.email, User.name, User.partner).where(
        (User.role == Role.PARTNER_ADMIN.value) & (User.partner == portal["partner"])).order_by(User.id).first()
    owner = Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role.PARTNER_ADMIN,
                      partner_id=row["partner"])
    endpoint, _ = await endpoints.create(owner, partner_id=None, url="https://crm.partner.example/cosell",
                                         event_types=list(EventCategory),
                                         description="Example: put your CRM's URL here, then enable it.")
    await endpoints.update(owner, endpoint["id"], {"enabled": False})


# EXAMPLE discount percentages (D5, D6, P7–P10). The vendor's real percentages per track are
# not public: these only make the demo's quotes believable. Replace them with
# `addDiscountPolicy` (admins) in a real installation.
EXAMPLE_PROGRAM_RATES = {
    "OPEN": {"RESALE": 10.0, "REFERRAL": 5.0, "MSP": 8.0},
    "SELECT": {"RESALE": 20.0, "REFERRAL": 10.0, "MSP": 15.0},
    "SELECT_SERVICES": {"RESALE": 18.0, "REFERRAL": 9.0, "MSP": 12.0},
}


async def create_example_discount_policy() -> None:
    """One open-ended policy version from 2025-01-01, marked EXAMPLE in its notes."""
    from datetime import date

    from partners.discounts import policy as dp
    from partners.registrations.enums import DealRegistrationType

    await dp.add_version(None, dp.PolicyInput(
        effective_from=date(2025, 1, 1), co_sell_rate=7.5,
        program_rates=[dp.ProgramRate(PartnerTrack(t), DealRegistrationType(k), r)
                       for t, by_type in EXAMPLE_PROGRAM_RATES.items() for k, r in by_type.items()],
        services_attach_rate=2.5, services_attach_max_engagements=3, services_attach_window_months=12,  # P9
        distributor_margin_rate=3.0,  # P10
        poc_rates=[dp.PocRate(5, 10, 10.0), dp.PocRate(11, 20, 15.0)],  # D6
        notes="EXAMPLE values for the demo, not the vendor's real percentages (they are not public).",
    ))


FIRST_NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena"]
LAST_NAMES = ["Smith", "Müller", "Tanaka", "Silva", "Okafor", "Dubois", "Kim", "Novak", "Rossi", "Patel"]
TITLES = ["CTO", "VP Engineering", "Head of Procurement", "DevOps Lead", "CIO", "Platform Architect"]
PRODUCTS = ["Premium", "Ultimate"]


async def _enrich_accounts(rng: random.Random) -> None:
    """Employee counts (A3), screening (A6), rankings (A9), owners, addresses (A4) and
    contacts; then the segments of every hierarchy (A1, A2)."""
    aes = {Region(r["regions"][0]): r["id"] for r in await User.select(User.id, User.regions).where(
        User.role == Role.ACCOUNT_EXECUTIVE.value)}
    accounts = await Account.select(Account.id, Account.name, Account.region, Account.country, Account.parent)
    screening = [ScreeningStatus.CLEAR] * 16 + [ScreeningStatus.PENDING, ScreeningStatus.YELLOW,
                                                  ScreeningStatus.RED, ScreeningStatus.ESCALATE]
    contacts: list[Contact] = []
    addresses: list[AccountAddress] = []
    for account in accounts:
        size = rng.choice([rng.randint(5, 99), rng.randint(100, 1999), rng.randint(2000, 40000)])
        blank_datafox = rng.random() < 0.2
        ranking = rng.choice([None, *Ranking])
        await Account.update({
            Account.employees_datafox: None if blank_datafox else size,
            Account.employees_zoominfo: int(size * rng.uniform(0.8, 1.2)) if blank_datafox or rng.random() < 0.5 else None,
            Account.screening_status: rng.choice(screening).value,
            Account.owner: aes.get(Region(account["region"]), aes[Region.AMER]),
            Account.carr: float(rng.choice([0, rng.randint(1, 29) * 1000, rng.randint(30, 500) * 1000])),
            Account.potential_users: rng.randint(10, 800),
            Account.first_order_available: rng.random() < 0.4,
            Account.ranking: ranking.value if ranking else None,
            Account.ranking_note: "Reviewed in the quarterly account planning." if ranking else "",
        }).where(Account.id == account["id"])
        city = account["name"].split(",")[0]
        addresses.append(AccountAddress(account=account["id"], source=AddressSource.BILLING.value,
                                        street=f"{rng.randint(1, 999)} Main Street", city=city,
                                        country=account["country"]))
        if rng.random() < 0.6:
            addresses.append(AccountAddress(account=account["id"], source=AddressSource.DATAFOX.value,
                                            street=f"{rng.randint(1, 999)} Market Street", city=city,
                                            country=account["country"]))
        if account["parent"] is None:
            for _ in range(rng.randint(1, 3)):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                domain = account["name"].split(",")[0].lower().replace(" ", "")
                contacts.append(Contact(account=account["id"], name=f"{first} {last}",
                                        email=f"{first.lower()}.{last.lower()}@{domain}.example",
                                        title=rng.choice(TITLES), created_at=now()))
    await AccountAddress.insert(*addresses)
    await Contact.insert(*contacts)
    for account in accounts:
        if account["parent"] is None:
            await recompute_hierarchy(account["id"])


async def _create_opportunities(rng: random.Random, count: int = 40) -> None:
    """Opportunities at every stage, with consistent dates (O3, O4), closing facts (O6, O7),
    stage history, a primary contact, and resellers or deal registrants on some (R9)."""
    roots = await Account.select(Account.id, Account.name, Account.screening_status, Account.owner).where(
        Account.parent.is_null()).order_by(Account.id)
    contacts_by_account: dict[int, list[int]] = {}
    for c in await Contact.select(Contact.id, Contact.account).order_by(Contact.id):
        contacts_by_account.setdefault(c["account"], []).append(c["id"])
    sdr = await User.select(User.id).where(User.role == Role.SDR.value).first()
    portal_partners = [u["partner"] for u in await User.select(User.partner).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)]
    nicknames = {p["id"]: p["nickname"] for p in await Partner.select(Partner.id, Partner.nickname)}
    resellers = [p["id"] for p in await Partner.select(Partner.id).where(
        (Partner.status == PartnerStatus.AUTHORIZED.value) & (Partner.partner_type == PartnerType.RESELLER.value))]
    stages = list(OpportunityStage)
    created: list[int] = []
    for i in range(count):
        account = roots[i % len(roots)]
        stage = stages[i % len(stages)]
        if stage is OpportunityStage.CLOSED_WON and account["screening_status"] != ScreeningStatus.CLEAR.value:
            stage = OpportunityStage.NEGOTIATING  # A6: only CLEAR accounts close won
        if stage is OpportunityStage.DUPLICATE and not created:
            stage = OpportunityStage.PENDING_ACCEPTANCE
        seats = rng.choice([5, 10, 25, 50, 100, 250])
        product = rng.choice(PRODUCTS)
        amount = float(seats * (29 if product == "Premium" else 99) * 12)
        created_at = now() - timedelta(days=rng.randint(1, 240))
        accepted = stage in ACCEPTED_STAGES or (stage is OpportunityStage.CLOSED_LOST)
        qualified = stage in QUALIFIED_STAGES or (stage is OpportunityStage.CLOSED_LOST and rng.random() < 0.5)
        with_sdr = rng.random() < 0.3
        reason = rng.choice([LossReason.NO_BUDGET, LossReason.TIMING, LossReason.NO_DECISION])
        # Every third deal has an authorized partner as its primary reseller or registrant:
        # R2 puts its nickname in front of the name, R7/R8 make it the one primary.
        partner, role = None, None
        if i % 3 == 0:
            partner = portal_partners[(i // 3) % len(portal_partners)] if portal_partners else rng.choice(resellers)
            role = OpportunityPartnerRole.DEAL_REGISTRANT if i % 2 else OpportunityPartnerRole.RESELLER
        prefix = f"{nicknames[partner]} - " if partner else ""
        opp = Opportunity(
            account=account["id"], name=f"{prefix}{account['name']}- {seats} {product}",
            primary_reason={OpportunityPartnerRole.DEAL_REGISTRANT: "deal registrant (R8)",
                            OpportunityPartnerRole.RESELLER: "authorized reseller (R7)"}.get(role, ""),
            opportunity_type=OpportunityType.NEW_BUSINESS.value, stage=stage.value, amount=amount,
            net_arr=amount, close_date=(created_at + timedelta(days=90)).date(), owner=account["owner"],
            sdr=sdr["id"] if with_sdr else None,
            sales_qualified_source=sales_qualified_source(
                sdr_id=sdr["id"] if with_sdr else None, owner_role=Role.ACCOUNT_EXECUTIVE).value,
            sales_accepted_at=created_at + timedelta(days=3) if accepted else None,
            sales_qualified=qualified,
            sales_qualified_at=created_at + timedelta(days=10) if qualified else None,
            initial_iacv=amount if qualified else None,
            closed_at=created_at + timedelta(days=60) if stage in CLOSED_STAGES else None,
            loss_reason=reason.value if stage is OpportunityStage.CLOSED_LOST else None,
            duplicate_of=created[0] if stage is OpportunityStage.DUPLICATE else None,
            created_at=created_at,
        )
        await opp.save()
        created.append(opp.id)
        start = stage if stage in (OpportunityStage.PRE_OPPORTUNITY, OpportunityStage.PENDING_ACCEPTANCE) \
            else OpportunityStage.PENDING_ACCEPTANCE  # O2
        history = [OpportunityStageChange(opportunity=opp.id, from_stage=None, to_stage=start.value,
                                          changed_by=account["owner"], changed_at=created_at)]
        if stage is not start:
            history.append(OpportunityStageChange(
                opportunity=opp.id, from_stage=start.value, to_stage=stage.value,
                changed_by=account["owner"], changed_at=created_at + timedelta(days=5)))
        await OpportunityStageChange.insert(*history)
        account_contacts = contacts_by_account.get(account["id"], [])
        if account_contacts:
            await OpportunityContact(opportunity=opp.id, contact=account_contacts[0],
                                     role=ContactRole.DECISION_MAKER.value, is_primary=True).save()
        if partner:
            await OpportunityPartner(opportunity=opp.id, partner=partner, role=role.value, is_primary=True,
                                     created_at=created_at).save()
        influencers = [r for r in resellers if r != partner]
        if i % 5 == 0 and influencers:
            await OpportunityPartner(opportunity=opp.id, partner=rng.choice(influencers),
                                     role=OpportunityPartnerRole.INFLUENCER.value, created_at=created_at).save()


# Co-sell plans (D3, D4, D8): written through partners.plans.service, so the demo's partner
# assignments queue their confirmation emails like real ones (`cosell outbox send --once`).
DEMO_TASKS = [
    # (title, side, days from kickoff to due date, status)
    ("Kickoff call with the customer's platform team", "VENDOR", 2, "DONE"),
    ("Technical demo for the evaluation group", "PARTNER", 10, "IN_PROGRESS"),
    ("Proof of concept on the customer's cluster", "PARTNER", 30, "OPEN"),
    ("Joint proposal with partner pricing", "VENDOR", 45, "OPEN"),
]


async def _create_cosell_plans(count: int = 8) -> None:
    """Plans on open demo opportunities whose partner has a portal user, some with overdue tasks."""
    from partners.plans import service as cosell_plans
    from partners.plans.enums import CoSellTaskSide, CoSellTaskStatus
    from partners.people.principal import Principal

    admin = await User.select().where(User.role == Role.ADMIN.value).first()
    principal = Principal(user_id=admin["id"], email=admin["email"], name=admin["name"], role=Role.ADMIN)
    portal_users = {u["partner"]: u["id"] for u in await User.select(User.id, User.partner).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)}
    team = await OpportunityPartner.select(
        OpportunityPartner.opportunity, OpportunityPartner.partner, OpportunityPartner.opportunity.owner.as_alias("owner"),
        OpportunityPartner.opportunity.stage.as_alias("stage"),
    ).where(OpportunityPartner.partner.is_in(list(portal_users) or [-1])).order_by(OpportunityPartner.id)
    made = 0
    ended = {s.value for s in cosell_plans.ENDED_STAGES}
    for row in (r for r in team if r["stage"] not in ended):
        if made >= count:
            break
        kickoff = now().date() - timedelta(days=5 + 7 * made)
        plan = await cosell_plans.create_plan(
            principal, opportunity_id=row["opportunity"], partner_id=row["partner"], kickoff_date=kickoff,
            goals="Who will do what, when: demo, proof of concept, then a joint proposal.")
        for title, side, due_in, status in DEMO_TASKS:
            assignee = portal_users[row["partner"]] if side == "PARTNER" else row["owner"]
            task = await cosell_plans.add_task(
                principal, plan["id"], title=title, owner_side=CoSellTaskSide(side), assignee_id=assignee,
                due_date=kickoff + timedelta(days=due_in))
            if status != "OPEN":
                await cosell_plans.update_task(principal, task["id"], {"status": CoSellTaskStatus(status)})
        made += 1


async def _create_registrations() -> None:
    """Deal registrations in several states (issue 5), through the real service so every
    rule, history row and event applies: portal partners register existing customers by
    name (P3, matched to the account), the admin reviews, approves (R2, R8), denies, returns."""
    from partners.registrations.approve import approve
    from partners.registrations.rules import Prospect, Registration
    from partners.registrations.submit import advance_review, deny, register, return_to_partner, withdraw
    from partners.opportunities import reseller
    from plugins.manager import get_plugin_manager

    # The demo world is made under the built-in rules only (no installed plugin may refuse it).
    rules = reseller.RuleSet(get_plugin_manager(allow=()))
    from partners.registrations.enums import DealRegistrationType
    from partners.people.principal import Principal

    def principal(row: dict) -> Principal:
        return Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]),
                         partner_id=row["partner"], regions=tuple(Region(r) for r in row["regions"] or []))

    columns = (User.id, User.email, User.name, User.role, User.partner, User.regions)
    admin = principal(await User.select(*columns).where(User.role == Role.ADMIN.value).first())
    ae = await User.select(User.id).where(User.role == Role.ACCOUNT_EXECUTIVE.value).order_by(User.id).first()
    portal = [principal(r) for r in await User.select(*columns).where(User.role == Role.PARTNER_USER.value).order_by(User.id)]
    # P2: the portal partners are AUTHORIZED, so they signed and have trained people
    # (`_create_program_records`); registering would refuse them otherwise.
    customers = await Account.select(Account.name).where(Account.parent.is_null()).order_by(Account.id).limit(8)
    # (customer index, partner index, products, what happens)
    plan = [(0, 0, ["ci-cd"], "approve"), (0, 1, ["ci-cd", "security"], "hold"), (1, 1, ["security"], "approve"),
            (2, 2, ["observability"], "submitted"), (3, 3, ["ci-cd"], "sales"), (4, 0, ["data-ai"], "manager"),
            (5, 1, ["ci-cd"], "return"), (6, 2, ["security"], "deny"), (7, 3, ["agile-planning"], "withdraw")]
    created = []
    for customer, partner, products, outcome in plan:
        who = portal[partner % len(portal)]
        row = await register(who, Registration(
            registration_type=DealRegistrationType.RESALE, products=products, edition="Premium", seats=25 * (partner + 1),
            estimated_amount=8700.0 * (partner + 1), notes="Registered from the demo portal.",
            prospect=Prospect(name=customers[customer]["name"])))
        created.append((row["id"], who, outcome))
    for reg_id, who, outcome in created:
        # "hold": approving the first registration of the same customer and product put it ON_HOLD (P5).
        if outcome in ("sales", "manager", "approve"):
            await advance_review(admin, reg_id)
        if outcome in ("manager", "approve"):
            await advance_review(admin, reg_id)
        if outcome == "approve":
            await approve(admin, rules, reg_id, ae["id"], "Kickoff with the AE next week (D3).")
        elif outcome == "return":
            await return_to_partner(admin, reg_id, "Which business unit is buying?")
        elif outcome == "deny":
            await deny(admin, reg_id, "The customer is already in a direct deal.")
        elif outcome == "withdraw":
            await withdraw(who, reg_id, "The customer postponed the project.")


async def _create_leads_and_cases() -> None:
    """Leads in every P11 state (shared with the portal partners, one recalled, one
    rejected, one not shared) and a few Partner Opp cases (D9), through the real services."""
    from partners.business_days.tables import RegionHoliday
    from partners.cases import service as cases
    from partners.leads.enums import LeadAction
    from partners.people.principal import Principal
    from partners.leads import deadlines, service as leads
    from partners.leads.tables import Lead
    from partners.registrations.tables import DealRegistration
    from plugins.manager import get_plugin_manager

    plugins = get_plugin_manager(allow=())

    def principal(row: dict) -> Principal:
        return Principal(user_id=row["id"], email=row["email"], name=row["name"], role=Role(row["role"]),
                         partner_id=row["partner"], regions=tuple(Region(r) for r in row["regions"] or []))

    columns = (User.id, User.email, User.name, User.role, User.partner, User.regions)
    admin = principal(await User.select(*columns).where(User.role == Role.ADMIN.value).first())
    advocate = principal(await User.select(*columns).where(User.role == Role.SMB_ADVOCATE.value).first())
    portal = [principal(r) for r in await User.select(*columns).where(User.role == Role.PARTNER_USER.value).order_by(User.id)]
    regions = {r["id"]: r["region"] for r in await Partner.select(Partner.id, Partner.region).where(
        Partner.id.is_in([p.partner_id for p in portal]))}
    year = now().year
    from datetime import date

    for region, day, name in [(Region.AMER, f"{year}-07-04", "Independence Day"),
                              (Region.EMEA, f"{year}-12-25", "Christmas Day"),
                              (Region.APJ, f"{year}-01-01", "New Year's Day")]:
        await RegionHoliday(region=region.value, day=date.fromisoformat(day), name=name, created_at=now()).save()

    companies = ["Northwind Traders", "Contoso Pharma", "Fabrikam Robotics", "Tailspin Toys", "Wingtip Air",
                 "Adventure Works", "Litware Labs", "Proseware Health", "Lucerne Publishing", "Margie's Travel"]
    # (company index, portal user index, what happens)
    plan = [(0, 0, "new"), (1, 0, "shared"), (2, 1, "accepted"), (3, 1, "contacted"), (4, 2, "meeting"),
            (5, 2, "converted"), (6, 3, "disqualified"), (7, 3, "rejected"), (8, 0, "recalled")]
    for company, who_index, outcome in plan:
        who = portal[who_index % len(portal)]
        lead = await leads.create_lead(admin, leads.NewLead(
            company=companies[company], region=Region(regions[who.partner_id]), country="US",
            contact_name="Jordan Buyer", contact_email=f"jordan@{companies[company].split()[0].lower()}.example",
            product_interest="Premium", notes="From the demo's web form.", source="web form"))
        if outcome == "new":
            continue
        await leads.share_lead(admin, plugins, lead["id"], who.partner_id)
        if outcome == "rejected":
            await leads.reject_lead(who, lead["id"], "Outside our territory.")
        elif outcome == "recalled":
            # Shared two weeks ago and never answered: the deadline job recalls it (P11).
            back = timedelta(days=14)
            row = await Lead.select().where(Lead.id == lead["id"]).first()
            await Lead.update({Lead.shared_at: row["shared_at"] - back, Lead.accept_due_at: row["accept_due_at"] - back,
                               Lead.action_due_at: row["action_due_at"] - back,
                               Lead.accept_remind_at: row["accept_remind_at"] - back,
                               Lead.action_remind_at: row["action_remind_at"] - back}).where(Lead.id == lead["id"])
            await deadlines.recall_due_leads(worker="demo")
        elif outcome != "shared":
            await leads.accept_lead(who, lead["id"], note="We know the buyer.")
            if outcome == "contacted":
                await leads.record_action(who, lead["id"], LeadAction.CONTACTED, note="Intro call booked.")
            elif outcome == "meeting":
                await leads.record_action(who, lead["id"], LeadAction.MEETING, note="Demo on Tuesday.")
            elif outcome == "converted":
                registration = await DealRegistration.select(DealRegistration.id).where(
                    DealRegistration.partner == who.partner_id).order_by(DealRegistration.id).first()
                await leads.record_action(who, lead["id"], LeadAction.CONVERTED, note="Registered the deal.",
                                          registration_id=registration["id"] if registration else None,
                                          opportunity_id=None if registration else await _visible_opportunity(who))
            elif outcome == "disqualified":
                await leads.record_action(who, lead["id"], LeadAction.DISQUALIFIED, reason="No budget this year.")

    subjects = ["Pricing for a 3-year renewal", "Customer asks for a security review", "Need a demo environment",
                "Transfer of the reseller of record"]
    for index, subject in enumerate(subjects):
        who = portal[index % len(portal)]
        case = await cases.open_case(who, subject, "Details from the partner portal.", account_name=companies[index])
        if index >= 2:
            await cases.pick_up(advocate, case["id"])
            await cases.comment(advocate, case["id"], "Looking into it today.")
            await cases.comment(advocate, case["id"], "Ask the CM about the discount first.", internal=True)
        if index == 3:
            await cases.close(advocate, case["id"], "Reseller of record updated.")


async def _visible_opportunity(who) -> int | None:
    from partners.opportunities.scoping import opportunity_scope
    from partners.people.scoping import scoped

    row = await scoped(Opportunity.select(Opportunity.id), opportunity_scope(who)).order_by(Opportunity.id).first()
    return row["id"] if row else None
