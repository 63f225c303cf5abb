"""Vocabularies of partners and people: regions, roles, partner types, tracks, statuses."""

from enum import Enum


class Region(str, Enum):
    """Sales regions (D7)."""

    AMER = "AMER"
    EMEA = "EMEA"
    APJ = "APJ"
    LATAM = "LATAM"
    PUBSEC = "PUBSEC"


class Role(str, Enum):
    ADMIN = "ADMIN"
    SALES_OPS = "SALES_OPS"
    CHANNEL_MANAGER = "CHANNEL_MANAGER"
    ACCOUNT_EXECUTIVE = "ACCOUNT_EXECUTIVE"
    SDR = "SDR"
    PARTNER_USER = "PARTNER_USER"
    PARTNER_ADMIN = "PARTNER_ADMIN"
    # D9: works the SMB team's "Partner Opp" case queue (at most 50 cases in progress).
    SMB_ADVOCATE = "SMB_ADVOCATE"


# Partner-side roles: users who belong to one partner (PARTNER_ADMIN also manages its people).
PARTNER_ROLES = frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})


class PartnerType(str, Enum):
    RESELLER = "RESELLER"
    DISTRIBUTOR = "DISTRIBUTOR"
    SYSTEM_INTEGRATOR = "SYSTEM_INTEGRATOR"
    MSP = "MSP"
    CLOUD_ALLIANCE = "CLOUD_ALLIANCE"
    OEM = "OEM"
    TRAINING = "TRAINING"


class PartnerTrack(str, Enum):
    """P1: OPEN, or the invitation-only SELECT tracks."""

    OPEN = "OPEN"
    SELECT = "SELECT"
    SELECT_SERVICES = "SELECT_SERVICES"


class PartnerStatus(str, Enum):
    """P1: only AUTHORIZED partners register deals or appear in the locator."""

    PROSPECT = "PROSPECT"
    AUTHORIZED = "AUTHORIZED"
    DENIED = "DENIED"
