"""Vocabularies of leads shared with partners (P11)."""

from enum import Enum


class LeadStatus(str, Enum):
    """P11: a lead's place in its share with a partner. NEW leads are shareable (again,
    after a rejection or a recall)."""

    NEW = "NEW"
    SHARED = "SHARED"  # waiting for the partner to accept or reject (5 business days)
    ACCEPTED = "ACCEPTED"  # accepted, waiting for an action (10 business days from sharing)
    CONTACTED = "CONTACTED"
    MEETING = "MEETING"
    CONVERTED = "CONVERTED"  # linked to the deal registration or opportunity it became
    DISQUALIFIED = "DISQUALIFIED"


class LeadAction(str, Enum):
    """P11: what the partner did with an accepted lead."""

    CONTACTED = "CONTACTED"
    MEETING = "MEETING"
    CONVERTED = "CONVERTED"
    DISQUALIFIED = "DISQUALIFIED"


class LeadRecallReason(str, Enum):
    """P11: why a lead was taken back from its partner."""

    NOT_ACCEPTED = "NOT_ACCEPTED"  # not accepted within 5 business days
    NO_ACTION = "NO_ACTION"  # accepted, no action within 10 business days
    PARTNER_DENIED = "PARTNER_DENIED"  # P1: the partner was denied while holding the lead
    TAKEN_BACK = "TAKEN_BACK"  # a channel manager took it back early (reason in `reason`)
    REASSIGNED = "REASSIGNED"  # a channel manager gave it to another partner (a new share)


class LeadPriority(str, Enum):
    """How urgently staff want the lead worked (informative; P11's deadlines do not change)."""

    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class LeadDeadline(str, Enum):
    """Which P11 deadline an extension request is about."""

    ACCEPT = "ACCEPT"  # accept or reject (5 business days)
    ACTION = "ACTION"  # act on it (10 business days from sharing)


class ExtensionStatus(str, Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    LAPSED = "LAPSED"  # the lead left that deadline (answered, acted on, released) before a decision


class DuplicateReason(str, Enum):
    """Why two open leads look like the same one (a warning, never a refusal)."""

    SAME_EMAIL = "SAME_EMAIL"
    SAME_COMPANY_SIMILAR_CONTACT = "SAME_COMPANY_SIMILAR_CONTACT"
