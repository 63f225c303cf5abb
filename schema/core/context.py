"""The typed per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from partners.infra.settings import Settings
from partners.opportunities.reseller import RuleSet
from partners.people.principal import Principal
from plugins.manager import CosellPluginManager
from schema.core.loaders import Loaders


@dataclass
class Context:
    request: Any
    response: Any
    principal: Principal | None
    settings: "Settings"
    plugins: CosellPluginManager
    request_id: str
    loaders: Loaders = field(init=False)
    # Outcome of each root mutation field by response key, for the audit log.
    mutation_outcomes: dict[str, Any] = field(default_factory=dict)
    # Root mutation fields whose audit row was written in their own transaction, and the
    # request's variables as sent (the audit summarises arguments as the client wrote them).
    audited_mutations: set[str] = field(default_factory=set)
    raw_variables: dict[str, Any] | None = None
    # The actual cost of the result, when a compiled plan counted it while building it
    # (schema/compiled); otherwise QueryCost walks the result.
    counted_cost: int | None = None
    # The operation's AST node once the document is parsed and the operation chosen
    # (QueryCost), and what executed it: "compiled" (a compiled plan built the result),
    # "generic", or "none" when nothing did (schema/compiled/executor.py). The request's
    # span (server/request_tracing.py) and metrics (server/metrics.py) report them.
    operation: Any = None
    executor: str = "none"

    def __post_init__(self) -> None:
        self.loaders = Loaders(self)

    @property
    def rules(self) -> RuleSet:
        """The opportunity rule plugins as this request runs them (COSELL_DISABLE_RULES)."""
        return RuleSet(self.plugins, frozenset(self.settings.disabled_rules))


Info = StrawberryInfo[Context, None]
