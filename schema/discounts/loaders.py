"""Per-request loaders for discounts. Policies follow `discount_policy_scope`, approvals
`discount_approval_scope`; registration quotes are computed for a whole batch at once."""

from __future__ import annotations

from partners import discounts
from partners.scoping import discount_approval_scope, discount_policy_scope, scoped
from partners.tables import DiscountApproval, DiscountPocRate, DiscountPolicy, DiscountProgramRate
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids
from schema.core.sql import any_of


async def load_discount_policies(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(DiscountPolicy, discount_policy_scope(context.principal), ids)


def _visible_policy_ids(context):
    return scoped(DiscountPolicy.select(DiscountPolicy.id), discount_policy_scope(context.principal))


async def load_program_rates(context, policy_ids: list[int]) -> list[list[dict]]:
    rows = await DiscountProgramRate.select().where(
        any_of(DiscountProgramRate.policy, policy_ids)
        & DiscountProgramRate.policy.is_in(_visible_policy_ids(context))).order_by(DiscountProgramRate.id)
    return grouped(policy_ids, rows, "policy")


async def load_poc_rates(context, policy_ids: list[int]) -> list[list[dict]]:
    rows = await DiscountPocRate.select().where(
        any_of(DiscountPocRate.policy, policy_ids)
        & DiscountPocRate.policy.is_in(_visible_policy_ids(context))).order_by(DiscountPocRate.min_users)
    return grouped(policy_ids, rows, "policy")


async def load_discount_approvals(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(DiscountApproval, discount_approval_scope(context.principal), ids)


async def load_standard_quotes(context, pairs: list[tuple[int, int]]) -> list[discounts.Quote | None]:
    """Today's quote of each (opportunity, partner) pair, for the whole batch in a fixed
    number of statements (a page of registrations with their quotes)."""
    if context.principal is None:
        return [None for _ in pairs]
    quotes = await discounts.standard_quotes(context.principal, context.plugins, list(dict.fromkeys(pairs)))
    return [quotes.get(pair) for pair in pairs]
