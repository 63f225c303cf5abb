"""The catalogue of the rules cosell enforces, by id (A accounts, O opportunities, R
reseller rules, D deals and co-sell, P channel program).

Errors, schema descriptions and comments cite these ids; `docs/rules.md` is generated
from this catalogue (`cosell rules export`) with the places that cite each rule, and the
GraphQL `rules` / `rule(id:)` queries answer from it. The texts are the project's own
wording of its domain; the seed documents they come from are named by number (000–004:
the vendor's public handbook pages; "program": its public channel-program handbook).
"""

from __future__ import annotations

from partners.catalogue.accounts import ACCOUNT_RULES
from partners.catalogue.deals import DEAL_RULES
from partners.catalogue.opportunities import OPPORTUNITY_RULES
from partners.catalogue.program import PROGRAM_RULES
from partners.catalogue.reseller import RESELLER_RULES
from partners.catalogue.rule import GROUPS, Rule, rule_id_pattern

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (*ACCOUNT_RULES, *OPPORTUNITY_RULES, *RESELLER_RULES, *DEAL_RULES, *PROGRAM_RULES)
}

__all__ = ["GROUPS", "RULES", "Rule", "rule_id_pattern"]
