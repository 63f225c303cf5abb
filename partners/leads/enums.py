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
