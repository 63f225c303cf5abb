"""The domain's closed vocabularies (DOMAIN.md ids in comments)."""

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


class AccountType(str, Enum):
    """A5."""

    PROSPECT = "PROSPECT"
    CUSTOMER = "CUSTOMER"
    FORMER_CUSTOMER = "FORMER_CUSTOMER"
    INTEGRATOR = "INTEGRATOR"
    RESELLER = "RESELLER"
    PROSPECTIVE_RESELLER = "PROSPECTIVE_RESELLER"


class OutboxStatus(str, Enum):
    """An outbox message: waiting (or being retried), delivered, or given up on."""

    PENDING = "PENDING"
    SENT = "SENT"
    DEAD = "DEAD"
