"""The rules catalogue in GraphQL: look up the id an error names (`rule(id: "P8")`)."""

from __future__ import annotations

import strawberry

from partners.catalogue import RULES, Rule
from schema.core.access import AUTHENTICATED, access


@strawberry.type(name="Rule", description="A rule of cosell's domain, as docs/rules.md states it.")
class RuleType:
    id: str = strawberry.field(description="e.g. P8: A accounts, O opportunities, R reseller rules, D deals, "
                               "co-sell and cases, P the channel program.")
    group: str
    title: str
    text: str
    sources: list[str] = strawberry.field(description="The seed documents it comes from: 000–004 (the vendor's "
                                          "handbook pages) or program (its channel-program handbook).")
    enforced: bool = strawberry.field(description="False for a rule stated but not built yet.")

    @classmethod
    def of(cls, rule: Rule) -> "RuleType":
        return cls(id=rule.id, group=rule.group, title=rule.title, text=rule.text, sources=list(rule.sources),
                   enforced=rule.enforced)


@strawberry.type
class RulesQuery:
    @strawberry.field(description="Every rule, in catalogue order; `group` takes a letter (A, O, R, D, P). "
                      "Any signed-in user.", extensions=[access(AUTHENTICATED)])
    def rules(self, group: str | None = None) -> list[RuleType]:
        letter = (group or "").strip().upper()
        return [RuleType.of(r) for r in RULES.values() if not letter or r.id.startswith(letter)]

    @strawberry.field(description="One rule by id (case-insensitive), or null when there is none. Any "
                      "signed-in user.", extensions=[access(AUTHENTICATED)])
    def rule(self, id: str) -> RuleType | None:
        found = RULES.get(id.strip().upper())
        return RuleType.of(found) if found else None
