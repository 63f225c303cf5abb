"""Vocabularies of accounts (A rules)."""

from enum import Enum


class AccountType(str, Enum):
    """A5."""

    PROSPECT = "PROSPECT"
    CUSTOMER = "CUSTOMER"
    FORMER_CUSTOMER = "FORMER_CUSTOMER"
    INTEGRATOR = "INTEGRATOR"
    RESELLER = "RESELLER"
    PROSPECTIVE_RESELLER = "PROSPECTIVE_RESELLER"


class Segment(str, Enum):
    """A1, ordered smallest first (A2 takes the maximum)."""

    SMB = "SMB"
    MID_MARKET = "MID_MARKET"
    LARGE = "LARGE"


class AddressSource(str, Enum):
    """A4, in territory priority order: the first present one is the territory address."""

    ADMIN_OVERRIDE = "ADMIN_OVERRIDE"
    DATAFOX = "DATAFOX"
    ZOOMINFO = "ZOOMINFO"
    SHIPPING = "SHIPPING"
    BILLING = "BILLING"


class ScreeningStatus(str, Enum):
    """A6 denied-party screening."""

    PENDING = "PENDING"
    CLEAR = "CLEAR"
    YELLOW = "YELLOW"
    RED = "RED"
    ESCALATE = "ESCALATE"


class Ranking(str, Enum):
    """A9."""

    RANK_1 = "1"
    RANK_1_5 = "1.5"
    RANK_2 = "2"
    RANK_3 = "3"
