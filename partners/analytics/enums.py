"""Vocabularies of the channel metrics (issue 36)."""

from enum import Enum


class MetricsDimension(str, Enum):
    """What the channel metrics are grouped by (any combination, in this order of columns)."""

    PARTNER = "PARTNER"
    REGION = "REGION"
    TRACK = "TRACK"
    TYPE = "TYPE"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
