"""Vocabularies of the SMB case queue (D9)."""

from enum import Enum


class CaseStatus(str, Enum):
    """D9: a "Partner Opp" case in the SMB queue."""

    OPEN = "OPEN"  # waiting for an advocate (pick-up within 24 hours)
    IN_PROGRESS = "IN_PROGRESS"  # held by an advocate (closed within 15 days of opening)
    CLOSED = "CLOSED"
