from __future__ import annotations

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from partners.people.scoping import api_token_scope, partner_scope, scoped, user_scope
from partners.people.tables import ApiToken, Partner, User
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_partners(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Partner, partner_scope, context.principal, ids)


async def load_users(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(User, user_scope, context.principal, ids)


async def load_api_tokens(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(ApiToken, api_token_scope, context.principal, ids)


async def load_first_api_tokens(context, keys: list[tuple[int, int]]) -> list[list[dict]]:
    """(user id, n) → the user's n oldest visible tokens: one query per distinct n (a page of
    users asks with one n), however many users (the `users` directory, #18)."""
    by_limit: dict[int, set[int]] = {}
    for user_id, n in keys:
        by_limit.setdefault(int(n), set()).add(int(user_id))
    found: dict[tuple[int, int], list[dict]] = {}
    for n, user_ids in by_limit.items():
        ids = sorted(user_ids)
        first_n = WhereRaw(
            "id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY \"user\" ORDER BY id) AS rn "
            f"FROM api_token WHERE \"user\" IN ({', '.join(str(i) for i in ids)})) AS ranked WHERE rn <= {int(n)})")
        # The scope hides whole users' tokens (api_token_scope), so it may apply after the ranking.
        rows = await scoped(ApiToken.select(), api_token_scope(context.principal)).where(first_n).order_by(
            ApiToken.id)
        for user_id, group in zip(ids, grouped(ids, rows, "user")):
            found[(user_id, n)] = group
    return [found[(int(u), int(n))] for u, n in keys]


async def load_api_token_counts(context, user_ids: list[int]) -> list[int]:
    rows = await scoped(ApiToken.select(ApiToken.user, Count(alias="n")), api_token_scope(context.principal)).where(
        ApiToken.user.is_in(sorted(set(user_ids)))).group_by(ApiToken.user)
    counts = {row["user"]: row["n"] for row in rows}
    return [counts.get(u, 0) for u in user_ids]
