"""Vocabularies of the SMB case workflow (D9–D14)."""

from enum import Enum


class CaseStatus(str, Enum):
    """D10: OPEN until an advocate picks the case up; IN_PROGRESS while worked (WAITING while
    it depends on another business team); then one of the three closed statuses."""

    OPEN = "OPEN"  # waiting for an advocate (pick-up within 24 hours, D9)
    IN_PROGRESS = "IN_PROGRESS"  # held by its owner, an advocate
    WAITING = "WAITING"  # held, depends on another business team (D10)
    CLOSED_RESOLVED = "CLOSED_RESOLVED"
    CLOSED_DUPLICATE = "CLOSED_DUPLICATE"  # names the case it duplicates
    CLOSED_UNRESPONSIVE = "CLOSED_UNRESPONSIVE"  # only after 15 days of trying to reach the customer


HELD = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.WAITING})
CLOSED = frozenset({CaseStatus.CLOSED_RESOLVED, CaseStatus.CLOSED_DUPLICATE, CaseStatus.CLOSED_UNRESPONSIVE})


class CaseType(str, Enum):
    """D14: what triggered the case; the exempt types have no 7/15-day target."""

    GENERAL = "GENERAL"
    PARTNER_OPP = "PARTNER_OPP"  # D9: opened by a partner user
    HIGH_VALUE_ACCOUNT = "HIGH_VALUE_ACCOUNT"  # stays open all fiscal year
    RENEWAL_WILL_FAIL = "RENEWAL_WILL_FAIL"
    PO_REQUIRED = "PO_REQUIRED"
    FIRST_ORDER = "FIRST_ORDER"
    CONTACT_LATER = "CONTACT_LATER"  # the customer asked to be contacted at a later date


EXEMPT_TYPES = frozenset({CaseType.HIGH_VALUE_ACCOUNT, CaseType.RENEWAL_WILL_FAIL, CaseType.PO_REQUIRED,
                          CaseType.FIRST_ORDER, CaseType.CONTACT_LATER})


class CaseOrigin(str, Enum):
    """How the case came in: a partner user, a vendor employee, or an email (D15)."""

    PARTNER = "PARTNER"
    STAFF = "STAFF"
    EMAIL = "EMAIL"


class CaseHistoryEvent(str, Enum):
    """One row of a case's history (staff only)."""

    OPENED = "OPENED"
    PICKED_UP = "PICKED_UP"
    UPDATED = "UPDATED"
    WAITING = "WAITING"
    RESUMED = "RESUMED"
    REASSIGNED = "REASSIGNED"
    ESCALATED = "ESCALATED"
    LEAD_CONVERTED = "LEAD_CONVERTED"
    CLOSED = "CLOSED"
    REOPENED = "REOPENED"
    RELEASED = "RELEASED"
    ATTACHED = "ATTACHED"
    ATTACHMENT_DELETED = "ATTACHMENT_DELETED"
    EMAIL_RECEIVED = "EMAIL_RECEIVED"  # D15: a later message of the case's thread


class MessageDirection(str, Enum):
    """D15: a message the SMB address received (INBOUND), or one sent from a case (OUTBOUND)."""

    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"
