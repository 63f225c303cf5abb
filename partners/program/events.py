"""What happens in the channel program that domains above it react to (partners.infra.events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partners.people.principal import Principal


@dataclass(frozen=True)
class PartnerDenied:
    """A partner was denied from the program (P1). Published in the denial's transaction, after
    the partner's status and history are written."""

    principal: Principal
    rules: Any  # partners.opportunities.reseller.RuleSet
    partner_id: int
    reason: str
    at: datetime
