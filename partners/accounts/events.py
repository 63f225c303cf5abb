"""What happens to accounts that domains above them react to (partners.infra.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partners.people.principal import Principal


@dataclass(frozen=True)
class AccountChannelChanged:
    """An account's type or partner organisation changed (`updateAccount`): the reseller rules
    of its opportunities are checked again (R1), in the update's transaction."""

    principal: Principal
    rules: Any  # partners.opportunities.reseller.RuleSet
    account_id: int
    operation: str
