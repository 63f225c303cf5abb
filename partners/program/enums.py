"""Vocabularies of the channel program (P1, P2)."""

from enum import Enum


class TrainingCourse(str, Enum):
    """P2: the partner foundations training makes a person count for eligibility."""

    PARTNER_FOUNDATIONS = "PARTNER_FOUNDATIONS"
    SALES_ACCREDITATION = "SALES_ACCREDITATION"
    TECHNICAL_ACCREDITATION = "TECHNICAL_ACCREDITATION"


class PartnerChangeKind(str, Enum):
    """P1 history of a partner: its status, track and PSP designation."""

    STATUS = "STATUS"
    TRACK = "TRACK"
    PSP = "PSP"
