"""Vocabularies of co-sell plans (D3, D8)."""

from enum import Enum


class CoSellMotion(str, Enum):
    """D8: how the partner works the deal. Services and technical support (demos, POCs,
    co-selling with cloud providers) on rank 1–2 accounts; partner-led on unranked accounts."""

    SERVICES_AND_SUPPORT = "SERVICES_AND_SUPPORT"
    PARTNER_LED = "PARTNER_LED"


class CoSellTaskSide(str, Enum):
    """D3: which side of the co-sell plan owns a task."""

    VENDOR = "VENDOR"
    PARTNER = "PARTNER"


class CoSellTaskStatus(str, Enum):
    """D3: the status of a co-sell task."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    BLOCKED = "BLOCKED"
