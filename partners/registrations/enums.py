"""Vocabularies of deal registrations (D1, D2)."""

from enum import Enum


class DealRegistrationType(str, Enum):
    """P3: what a partner registers; SERVICES_ATTACH sits on a closed-won opportunity (P9)."""

    RESALE = "RESALE"
    REFERRAL = "REFERRAL"
    MSP = "MSP"
    SERVICES_ATTACH = "SERVICES_ATTACH"


class DealRegistrationStatus(str, Enum):
    """P4 review flow, P5 holds and dissolution, P6 expiry and closing."""

    SUBMITTED = "SUBMITTED"
    PENDING_SALES_REVIEW = "PENDING_SALES_REVIEW"
    PENDING_MANAGER_REVIEW = "PENDING_MANAGER_REVIEW"
    RETURNED = "RETURNED"  # back with the partner for more information (P4)
    ON_HOLD = "ON_HOLD"  # another registration of the same scope was approved (P5)
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    WITHDRAWN = "WITHDRAWN"
    DISSOLVED = "DISSOLVED"  # the approved engagement was dissolved (P5)
    EXPIRED = "EXPIRED"  # P6: 90 days after approval (plus extensions)
    CLOSED = "CLOSED"  # P6: its opportunity was closed lost
