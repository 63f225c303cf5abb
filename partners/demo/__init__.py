"""A believable demo world: partners of every type and track, accounts in hierarchies
across every region, and users of every role with their tokens.

Deterministic (seeded), so every fresh `make run` shows the same world.

The demo is the top of partners/: its builders (one module per domain, called in the order
`world.load_demo` says) may import any domain, and no domain imports the demo. This module
only names what the rest of the project uses: `cosell demo load` and the tests' worlds
(`load_demo`, `is_empty`), and the word lists the benchmarks' generators share (bench/).
"""

from __future__ import annotations

from partners.demo.discounts import EXAMPLE_PROGRAM_RATES, create_example_discount_policy
from partners.demo.people import DemoLogin, directory_rows
from partners.demo.vocabulary import (
    CERTIFICATIONS,
    COMPANY_SUFFIX,
    COMPANY_WORDS,
    FIRST_NAMES,
    LANGUAGES,
    LAST_NAMES,
    PARTNER_WORDS,
    PLACES,
    SPECIALIZATIONS,
    TITLES,
)
from partners.demo.world import is_empty, load_demo

__all__ = [
    "CERTIFICATIONS",
    "COMPANY_SUFFIX",
    "COMPANY_WORDS",
    "DemoLogin",
    "EXAMPLE_PROGRAM_RATES",
    "FIRST_NAMES",
    "LANGUAGES",
    "LAST_NAMES",
    "PARTNER_WORDS",
    "PLACES",
    "SPECIALIZATIONS",
    "TITLES",
    "create_example_discount_policy",
    "directory_rows",
    "is_empty",
    "load_demo",
]
