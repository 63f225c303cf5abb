"""Per-request loaders for discounts. Policies follow `discount_policy_scope`, approvals
`discount_approval_scope`; registration quotes are computed for a whole batch at once."""

from __future__ import annotations

from partners.discounts import quotes as discounts
from partners.discounts.scoping import discount_approval_scope, discount_policy_scope
from partners.discounts.tables import DiscountApproval, DiscountPocRate, DiscountPolicy, DiscountProgramRate
from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.people.scoping import scoped
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_discount_policies(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(DiscountPolicy, discount_policy_scope, context.principal, ids)


def _visible_policy_ids(principal):
    return scoped(DiscountPolicy.select(DiscountPolicy.id), discount_policy_scope(principal))


_PROGRAM_RATES = PreparedQuery(lambda who, ids: DiscountProgramRate.select().where(
    any_of(DiscountProgramRate.policy, ids)
    & DiscountProgramRate.policy.is_in(_visible_policy_ids(who))).order_by(DiscountProgramRate.id))

_POC_RATES = PreparedQuery(lambda who, ids: DiscountPocRate.select().where(
    any_of(DiscountPocRate.policy, ids)
    & DiscountPocRate.policy.is_in(_visible_policy_ids(who))).order_by(DiscountPocRate.min_users))


async def load_program_rates(context, policy_ids: list[int]) -> list[list[dict]]:
    return grouped(policy_ids, await _PROGRAM_RATES.run(context.principal, policy_ids), "policy")


async def load_poc_rates(context, policy_ids: list[int]) -> list[list[dict]]:
    return grouped(policy_ids, await _POC_RATES.run(context.principal, policy_ids), "policy")


async def load_discount_approvals(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(DiscountApproval, discount_approval_scope, context.principal, ids)


async def load_standard_quotes(context, pairs: list[tuple[int, int]]) -> list[discounts.Quote | None]:
    """Today's quote of each (opportunity, partner) pair, for the whole batch in a fixed
    number of statements (a page of registrations with their quotes)."""
    if context.principal is None:
        return [None for _ in pairs]
    quotes = await discounts.standard_quotes(context.principal, context.plugins, list(dict.fromkeys(pairs)))
    return [quotes.get(pair) for pair in pairs]
