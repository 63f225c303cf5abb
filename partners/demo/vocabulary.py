"""The demo's word lists and places: names, cities and codes the world builders (and the
benchmarks' generators, bench/) draw from. Plain data; no domain beyond the region and
partner type enums."""

from __future__ import annotations

from partners.people.enums import PartnerType, Region

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

# People (contacts, trained employees), their titles, and what the opportunities sell.
FIRST_NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena"]
LAST_NAMES = ["Smith", "Müller", "Tanaka", "Silva", "Okafor", "Dubois", "Kim", "Novak", "Rossi", "Patel"]
TITLES = ["CTO", "VP Engineering", "Head of Procurement", "DevOps Lead", "CIO", "Platform Architect"]
PRODUCTS = ["Premium", "Ultimate"]
