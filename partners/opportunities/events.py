"""What happens to opportunities that domains above them react to (partners.infra.events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partners.people.principal import Principal


@dataclass(frozen=True)
class OpportunityClosedLost:
    """An opportunity was closed lost (moved there, or merged into its closing parent, O7/O8).
    Published in the stage move's transaction, before the opportunity is validated again (P6)."""

    principal: Principal
    rules: Any  # partners.opportunities.reseller.RuleSet
    opportunity_id: int
    at: datetime
