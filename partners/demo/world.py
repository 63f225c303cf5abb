"""The order in which the demo world is made: partners first, then accounts, people, and the
deals and requests between them.

One seeded `random.Random` runs through the builders that draw from it (partners, accounts,
their enrichment, opportunities) in this order, so the same seed makes the same world; the
partner directory draws from its own stream (`seed + 8`). Changing the order, or a draw in
one builder, changes everything after it.
"""

from __future__ import annotations

import random

from partners.accounts.tables import Account
from partners.demo import (
    accounts,
    discounts,
    leads_cases,
    money,
    opportunities,
    people,
    plans,
    program,
    registrations,
    webhooks,
)
from partners.demo.people import DemoLogin
from partners.people.tables import Partner, User


async def is_empty() -> bool:
    return not await User.exists() and not await Partner.exists() and not await Account.exists()


async def load_demo(partner_count: int = 200, parent_accounts: int = 60, seed: int = 42) -> list[DemoLogin]:
    """Create the demo world in an empty database; returns the logins with their tokens."""
    rng = random.Random(seed)
    await money.create_exchange_rates()
    await people.create_partners(rng, partner_count)
    await people.create_directory(seed + 8)
    await program.create_program_records()
    await accounts.create_accounts(rng, parent_accounts)
    logins = await people.create_users()
    await accounts.enrich_accounts(rng)
    await opportunities.create_opportunities(rng)
    await plans.create_cosell_plans()
    await registrations.create_registrations()
    await discounts.create_example_discount_policy()
    await webhooks.create_webhook_endpoint()
    await leads_cases.create_leads_and_cases()
    return logins
