"""One rule of the catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass

GROUPS = {
    "A": "Accounts",
    "O": "Opportunities",
    "R": "Reseller opportunities and partner precedence",
    "D": "Deal registration, co-sell, discounts, locator and cases",
    "P": "The channel program",
}


def rule_id_pattern() -> re.Pattern:
    """A rule id as code and errors cite it: a group letter and a number (A1, D15, P11)."""
    return re.compile(r"\b([AORDP](?:1[0-5]|[1-9]))\b")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str
    sources: tuple[str, ...] = ()  # the seed documents: "000"…"004", "program"
    enforced: bool = True  # False: stated here, not yet built (said in the text)

    @property
    def group(self) -> str:
        return GROUPS[self.id[0]]
